package validator

import (
	"testing"

	"github.com/taonet/taonet/subnets/finetuning/competition"
)

func testConfig(t *testing.T) competition.Config {
	c := competition.Default()
	a := c.Competitions[0]
	a.ID, a.RewardShare = "a1", 0.5
	b := a
	b.ID = "b2"
	c.Competitions = []competition.Competition{a, b}
	c.StepInterval = 10
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}
