package site

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/backstage-epg/backstage/internal/testkit"
)

// The default schedule's pictures (assets/channel-icon.png and
// assets/show-backstage.png) are this project's own artwork, not e.tv's
// logo or the series' promotional art: they are drawn here, from simple
// shapes, and committed. TestArtwork draws them again and checks the
// committed files show the same picture; go test ./internal/site
// -update rewrites a file that does not. Only basic arithmetic and Sqrt
// are used, so the drawing is the same on every platform, and files are
// compared by pixel (within a small tolerance) rather than by byte, so a
// new version of the PNG encoder does not fail the test.

// artwork is one committed picture and the scene it is drawn from.
type artwork struct {
	file string
	w, h int
	draw func(x, y float64) rgba // the colour at a point, x and y in pixels
}

var artworks = []artwork{
	{"channel-icon.png", 256, 256, channelIconScene},
	{"show-backstage.png", 640, 360, showScene},
}

func TestArtwork(t *testing.T) {
	for _, a := range artworks {
		t.Run(a.file, func(t *testing.T) {
			img := renderArtwork(a.w, a.h, a.draw)
			var buf bytes.Buffer
			enc := png.Encoder{CompressionLevel: png.BestCompression}
			if err := enc.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("assets", a.file)
			if old, err := os.ReadFile(path); err == nil {
				at, ok := samePicture(old, img)
				if ok {
					return // keep the committed bytes
				}
				t.Logf("%s differs from its drawing near %v", path, at)
			}
			testkit.Golden(t, path, buf.Bytes())
		})
	}
}

// TestArtworkPublished checks that the pictures are files of the site, as
// PNG, under assets/, where the default schedule's relative URLs point.
func TestArtworkPublished(t *testing.T) {
	for _, a := range artworks {
		asset := assets["assets/"+a.file]
		if asset == nil {
			t.Errorf("%s is not among the site's assets", a.file)
			continue
		}
		if got := asset.ctype; got != "image/png" {
			t.Errorf("%s: Content-Type %s, want image/png", a.file, got)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(asset.body))
		if err != nil {
			t.Fatalf("%s: %v", a.file, err)
		}
		if cfg.Width != a.w || cfg.Height != a.h {
			t.Errorf("%s is %d×%d, want %d×%d", a.file, cfg.Width, cfg.Height, a.w, a.h)
		}
		if n := len(asset.body); n > 64<<10 {
			t.Errorf("%s is %d bytes; keep pictures small", a.file, n)
		}
	}
}

// samePicture reports whether the PNG data shows img, each channel of
// each pixel within 2 of it, and where it first differs if not.
func samePicture(data []byte, img *image.NRGBA) (image.Point, bool) {
	old, err := png.Decode(bytes.NewReader(data))
	if err != nil || old.Bounds() != img.Bounds() {
		return image.Point{}, false
	}
	near := func(a, b uint32) bool { return max(a, b)-min(a, b) <= 2*0x101 }
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := old.At(x, y).RGBA()
			r2, g2, b2, a2 := img.At(x, y).RGBA()
			if !near(r1, r2) || !near(g1, g2) || !near(b1, b2) || !near(a1, a2) {
				return image.Point{x, y}, false
			}
		}
	}
	return image.Point{}, true
}

// rgba is a colour with premultiplied alpha, each part from 0 to 1.
type rgba struct{ r, g, b, a float64 }

// rgb returns the opaque colour 0xRRGGBB.
func rgb(c uint32) rgba {
	return rgba{float64(c>>16&0xff) / 255, float64(c>>8&0xff) / 255, float64(c&0xff) / 255, 1}
}

// over returns c painted over dst with opacity alpha.
func over(dst, c rgba, alpha float64) rgba {
	a := c.a * alpha
	return rgba{
		c.r*alpha + dst.r*(1-a),
		c.g*alpha + dst.g*(1-a),
		c.b*alpha + dst.b*(1-a),
		a + dst.a*(1-a),
	}
}

// mix returns the opaque colour a part t of the way from a to b.
func mix(a, b rgba, t float64) rgba {
	t = min(1, max(0, t))
	return rgba{a.r + (b.r-a.r)*t, a.g + (b.g-a.g)*t, a.b + (b.b-a.b)*t, a.a + (b.a-a.a)*t}
}

// renderArtwork draws scene at w×h, averaging 4×4 samples a pixel so that
// edges are smooth.
func renderArtwork(w, h int, scene func(x, y float64) rgba) *image.NRGBA {
	const n = 4
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for py := range h {
		for px := range w {
			var sum rgba
			for sy := range n {
				for sx := range n {
					c := scene(float64(px)+(float64(sx)+0.5)/n, float64(py)+(float64(sy)+0.5)/n)
					sum = rgba{sum.r + c.r, sum.g + c.g, sum.b + c.b, sum.a + c.a}
				}
			}
			k := float64(n * n)
			sum = rgba{sum.r / k, sum.g / k, sum.b / k, sum.a / k}
			q := func(v float64) uint8 { return uint8(math.Floor(min(1, max(0, v))*255 + 0.5)) }
			if sum.a == 0 {
				continue // transparent black
			}
			img.SetNRGBA(px, py, color.NRGBA{q(sum.r / sum.a), q(sum.g / sum.a), q(sum.b / sum.a), q(sum.a)})
		}
	}
	return img
}

// Shapes, as tests of whether a point is inside.

func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x > x1 || y < y0 || y > y1 {
		return false
	}
	cx, cy := min(max(x, x0+r), x1-r), min(max(y, y0+r), y1-r)
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

func inEllipse(x, y, cx, cy, rx, ry float64) bool {
	dx, dy := (x-cx)/rx, (y-cy)/ry
	return dx*dx+dy*dy <= 1
}

// inCapsule reports whether (x, y) is within r of the segment a–b.
func inCapsule(x, y, ax, ay, bx, by, r float64) bool {
	dx, dy := bx-ax, by-ay
	t := min(1, max(0, ((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy)))
	px, py := ax+t*dx-x, ay+t*dy-y
	return px*px+py*py <= r*r
}

// inPolygon reports whether (x, y) is inside the polygon of the points
// xy (x0, y0, x1, y1, …), by the even-odd rule.
func inPolygon(x, y float64, xy ...float64) bool {
	in := false
	n := len(xy) / 2
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		xi, yi, xj, yj := xy[2*i], xy[2*i+1], xy[2*j], xy[2*j+1]
		if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

// star returns the points of a five-pointed star centred on (cx, cy),
// its tips at radius r and its notches at r*inner, one tip upwards. Each
// point is the last turned by a fifth of a half-turn, with cos(π/5)
// written as (1+√5)/4, so no trigonometric function is needed and every
// platform draws the same star.
func star(cx, cy, r, inner float64) []float64 {
	c := (1 + math.Sqrt(5)) / 4
	s := math.Sqrt(1 - c*c)
	var pts []float64
	dx, dy := 0.0, -1.0
	for i := range 10 {
		rad := r
		if i%2 == 1 {
			rad = r * inner
		}
		pts = append(pts, cx+dx*rad, cy+dy*rad)
		dx, dy = dx*c-dy*s, dx*s+dy*c
	}
	return pts
}

// Palette.
var (
	navy   = rgb(0x1d3557)
	cream  = rgb(0xf1faee)
	steel  = rgb(0x457b9d)
	sky    = rgb(0xa8dadc)
	gold   = rgb(0xffc94d)
	plum   = rgb(0x2b1d2f)
	wood   = rgb(0x7a4a24)
	woodHi = rgb(0xa8693a)
	red    = rgb(0xa4161a)
	redDk  = rgb(0x660708)
	pale   = rgb(0xfff3c4)
)

// channelIconScene is a square channel logo: an old television set with
// two aerials and a star on its screen, on a rounded navy tile.
func channelIconScene(x, y float64) rgba {
	if !inRoundRect(x, y, 0, 0, 256, 256, 40) {
		return rgba{}
	}
	c := navy
	// Aerials, behind the set.
	if inCapsule(x, y, 128, 78, 84, 26, 6) || inCapsule(x, y, 128, 78, 172, 26, 6) ||
		inEllipse(x, y, 84, 26, 11, 11) || inEllipse(x, y, 172, 26, 11, 11) {
		c = cream
	}
	// Feet.
	if inRoundRect(x, y, 70, 200, 92, 226, 6) || inRoundRect(x, y, 164, 200, 186, 226, 6) {
		c = cream
	}
	// The set, its screen and its knobs.
	if inRoundRect(x, y, 32, 72, 224, 212, 26) {
		c = cream
		if inRoundRect(x, y, 50, 90, 176, 194, 18) {
			// A lighter glow towards the screen's top left.
			d := ((x - 50) + (y - 90)) / (126 + 104)
			c = mix(sky, steel, d)
			if inPolygon(x, y, star(113, 142, 40, 0.42)...) {
				c = gold
			}
		}
		if inEllipse(x, y, 200, 118, 11, 11) || inEllipse(x, y, 200, 152, 11, 11) {
			c = navy
		}
		if inRoundRect(x, y, 192, 176, 208, 182, 3) {
			c = steel
		}
	}
	return c
}

// bigStar is the star of showScene.
var bigStar = star(320, 170, 62, 0.45)

// showScene is a landscape picture for the show: a theatre stage seen
// from the wings, red curtains drawn back, a spotlight on the boards and
// a gold star in its beam.
func showScene(x, y float64) rgba {
	const w, h = 640.0, 360.0
	// Back wall, darker at the top.
	c := mix(plum, rgb(0x4a2f4f), y/h)
	// The boards, with a lit front edge and plank lines.
	floor := 268.0
	if y >= floor {
		c = wood
		if y < floor+5 {
			c = woodHi
		} else if p := (y - floor) / 23; p-math.Floor(p) < 0.06 {
			c = mix(wood, plum, 0.35)
		}
	}
	// The spotlight: a soft cone from above and a pool on the boards.
	top, bottom := 16.0, floor+30
	if y >= top && y <= bottom {
		t := (y - top) / (bottom - top)
		half := 26 + t*150
		if d := math.Abs(x-w/2) / half; d <= 1 {
			c = over(c, pale, 0.20*(1-d*d))
		}
	}
	if inEllipse(x, y, w/2, floor+30, 170, 30) {
		c = over(c, pale, 0.45)
	}
	// The star, hanging in the beam.
	if inPolygon(x, y, bigStar...) {
		c = mix(pale, gold, 0.45+(y-108)/124) // lit from above
	}
	// The curtains, gathered back towards the sides: each one's inner edge
	// curves out to a tie low down.
	curtain := func(dx float64) bool { // dx: distance from the nearer side
		u := (y - 40) / (h - 40)
		if u < 0 {
			return true
		}
		edge := 200 - 150*u*(2-u) // widest at the top, tied back at the bottom
		if u > 0.72 {
			edge += (u - 0.72) * 380
		}
		return dx <= edge
	}
	folds := func(dx float64) rgba {
		p := dx / 34
		p -= math.Floor(p)
		tri := 1 - math.Abs(2*p-1) // 0 in a fold's crease, 1 on its crest
		return mix(redDk, red, 0.25+0.75*tri)
	}
	if curtain(x) {
		c = folds(x)
	} else if curtain(w - x) {
		c = folds(w - x)
	}
	// The valance across the top, with a scalloped hem and gold fringe.
	hem := 46.0
	scallop := 40.0
	sx := x - scallop*math.Floor(x/scallop) - scallop/2
	if y < hem || (y < hem+14 && sx*sx+(y-hem)*(y-hem) <= 14*14) {
		c = mix(redDk, red, 0.6+0.4*y/(hem+14))
	} else if y < hem+18 && sx*sx+(y-hem)*(y-hem) <= 18*18 {
		c = gold
	}
	return c
}
