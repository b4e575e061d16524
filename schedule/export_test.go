package schedule

// SetMaxSlots lowers the slot limit for a test and returns the undo.
func SetMaxSlots(n int) (undo func()) {
	old := maxSlots
	maxSlots = n
	return func() { maxSlots = old }
}

// Touched returns how many stored slots a query of q reads.
func (s *Schedule) Touched(q Query) int {
	i, j := s.bounds(q)
	return j - i
}

// CountSlots is countSlots for a cron spec, for tests that compare the
// count with an expansion.
func CountSlots(spec string, first, last Date) int {
	rule, err := parseRule(spec)
	if err != nil {
		panic(err)
	}
	return countSlots(rule, first, last)
}
