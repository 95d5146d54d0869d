package main

import (
	"strings"
	"testing"
)

// TestPromptingFlagErrors: bad flags are refused with a message naming the
// flag before any wallet, file or node is touched (the node URL is dead).
// Cobra keeps flag values between runs, so each case resets the earlier ones.
func TestPromptingFlagErrors(t *testing.T) {
	dead := "http://127.0.0.1:1"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"prompting", "validator", "--node", dead, "--difficulty", "7"}, "--difficulty 7: want 0..1"},
		{[]string{"prompting", "validator", "--node", dead, "--difficulty", "0.3", "--steps", "-1"}, "--steps -1"},
		{[]string{"prompting", "miner", "--node", dead, "--mode", "bad"}, `--mode "bad": want llm, tool, echo or noise`},
		{[]string{"prompting", "miner", "--node", dead, "--mode", "tool", "--axon.port", "70000"}, "--axon.port 70000: want 1..65535"},
		{[]string{"prompting", "validator", "--node", dead, "--steps", "0", "--protocol", "grpc"}, `--protocol "grpc": want bittensor or epistula`},
		{[]string{"prompting", "miner", "--node", dead, "--axon.port", "8091", "--protocol", "grpc"}, `--protocol "grpc": want bittensor or epistula`},
		{[]string{"prompting", "validator", "--node", dead, "--protocol", "bittensor", "--context", "embedded,mars"}, `--context "mars": want embedded, dir, dump, wiki-api or debian-reference`},
		{[]string{"prompting", "miner", "--node", dead, "--protocol", "bittensor", "--context", "embedded", "--translation.engine", "babel"}, `--translation.engine "babel"`},
		{[]string{"prompting", "validator", "--node", dead, "--context", "embedded", "--tasks", "qa=0.3,poetry=1"}, `--tasks: tasks: unknown task "poetry"`},
		{[]string{"prompting", "validator", "--node", dead, "--tasks", "qa=-2"}, `qa weight "-2"`},
		{[]string{"prompting", "validator", "--node", dead, "--tasks", "", "--followup-probability", "1.5"}, "--followup-probability 1.5: want 0..1"},
		{[]string{"prompting", "api", "--node", dead, "--top-k", "0"}, "--top-k 0: want 1 or more"},
		{[]string{"prompting", "api", "--node", dead, "--protocol", "grpc"}, `--protocol "grpc"`},
		{[]string{"prompting", "api", "--node", dead, "--score"}, "--score needs --llm-url"},
		{[]string{"prompting", "api", "--node", dead, "--api-keys", " "}, "no API key"},
		{[]string{"prompting", "feed", "--node", dead, "--response", "what"}, `--response "what": want reference or completion`},
		{[]string{"prompting", "feed", "--node", dead, "--response", "reference", "--min-stake", "-1"}, "--min-stake -1"},
		{[]string{"prompting", "feed", "--node", dead, "--min-stake", "1", "--since", "10", "--until", "5"}, "--until 5 is before --since 10"},
	} {
		resetFlags(t, tc.args[0], tc.args[1])
		out, err := runYuma(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v (want %q)\n%s", tc.args, err, tc.want, out)
		}
	}
}
