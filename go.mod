module github.com/backstage-epg/backstage

go 1.26

require (
	github.com/arran4/golang-ical v0.3.4 // indirect
	github.com/robfig/cron/v3 v3.0.1 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
