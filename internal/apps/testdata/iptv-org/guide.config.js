// An iptv-org site configuration for backstage's XMLTV guide: one
// request per channel and day (xmltv.xml?from=DAY&to=DAY, as serve
// answers), read with epg-parser, iptv-org's XMLTV parser, each programme
// of the channel passed on with everything epg-grabber writes back out
// but its icon: epg-grabber 0.46 writes <icon> after <episode-num>, which
// the XMLTV DTD does not allow. BACKSTAGE_BASE is serve's address;
// EPG_PARSER the epg-parser package.
const parser = require(process.env.EPG_PARSER)
const base = process.env.BACKSTAGE_BASE

module.exports = {
  site: 'backstage',
  channels: 'backstage.channels.xml',
  delay: 0,
  url({ date }) {
    const day = date.format('YYYY-MM-DD')
    return `${base}/xmltv.xml?from=${day}&to=${day}`
  },
  parser({ content, channel }) {
    return parser
      .parse(content)
      .programs.filter(p => p.channel === channel.xmltv_id)
      .map(p => ({
        title: p.title,
        subTitle: p.subTitle,
        description: p.desc,
        categories: p.category,
        date: p.date,
        episodeNumbers: p.episodeNum,
        start: p.start,
        stop: p.stop,
        actors: p.credits.actor,
        writers: p.credits.writer,
        producers: p.credits.producer,
        composers: p.credits.composer,
        country: p.country,
        language: p.language,
        length: p.length
      }))
  }
}
