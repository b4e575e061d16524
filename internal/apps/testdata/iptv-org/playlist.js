// Reads M3U playlists with iptv-playlist-parser, iptv-org's playlist
// parser, and prints what it makes of each as one JSON object by file.
//
// Usage: node playlist.js PATH/TO/node_modules/iptv-playlist-parser FILE...
const fs = require('fs')
const [modulePath, ...files] = process.argv.slice(2)
const parser = require(modulePath)

const out = {}
for (const file of files) {
  out[file] = parser.parse(fs.readFileSync(file, 'utf8'))
}
console.log(JSON.stringify(out))
