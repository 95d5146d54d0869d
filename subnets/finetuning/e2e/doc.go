// Package e2e holds the finetuning subnet's end-to-end tests: a real
// embedded node, a real hub server on loopback, miners publishing tiny
// models of different quality, and independent validators setting weights.
package e2e
