package schedule

// SetMaxSlots lowers the slot limit for a test and returns the undo.
func SetMaxSlots(n int) (undo func()) {
	old := maxSlots
	maxSlots = n
	return func() { maxSlots = old }
}
