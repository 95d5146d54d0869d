package rewards_test

import (
	"context"
	"fmt"

	"github.com/taonet/taonet/subnets/prompting/rewards"
)

// Scoring one math step: exact answer, a near miss, silence.
func ExampleScoreTask() {
	res, err := rewards.ScoreTask(context.Background(), nil, "math", "56", "Hi! What is 22 + 34?",
		[]rewards.Completion{{Text: "22 + 34 = 56"}, {Text: "I think it's 55."}, {Text: ""}})
	if err != nil {
		panic(err)
	}
	for _, r := range res {
		fmt.Printf("%.4f\n", r.Total)
	}
	// Output:
	// 1.0000
	// 0.9821
	// 0.0000
}

func ExampleRouge1F() {
	fmt.Printf("%.6f\n", rewards.Rouge1F("the cat sat on the mat", "the cat lay on the mat"))
	// Output: 0.800000
}
