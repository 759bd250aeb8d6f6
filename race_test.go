//go:build race

package sagemakerapp

const raceEnabled = true
