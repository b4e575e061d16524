// An iptv-org site configuration, of the kind iptv-org keeps for every
// guide source it grabs with epg-grabber: one request per channel and
// day, to backstage's day answers (api/v1/days/YYYY-MM-DD.json), each
// airing object made a programme. BACKSTAGE_BASE is the address of the
// site or of serve.
const base = process.env.BACKSTAGE_BASE

module.exports = {
  site: 'backstage',
  channels: 'backstage.channels.xml',
  delay: 0,
  url({ date }) {
    return `${base}/api/v1/days/${date.format('YYYY-MM-DD')}.json`
  },
  parser({ content }) {
    return JSON.parse(content).map(airing => ({
      title: airing.show,
      subTitle: airing.title,
      start: airing.start,
      stop: airing.end,
      // As the guide numbers episodes: no season is invented.
      episodeNumbers: [
        { system: 'xmltv_ns', value: `.${airing.episode - 1}.` },
        { system: 'onscreen', value: `E${airing.episode}` }
      ]
    }))
  }
}
