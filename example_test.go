package smelt_test

import (
	"context"
	"fmt"
	"log"

	"github.com/smeltlm/smelt"
)

// Load a model, open a session and stream a greedy continuation. (This
// uses the shared reference model; TestGenerateStory runs the same code.)
func Example() {
	m, err := smelt.Load("../shared/models/stories260k-f32.gguf", smelt.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := m.NewSession(smelt.SessionOptions{ContextSize: 256})
	if err != nil {
		log.Fatal(err)
	}
	_, err = s.Generate(context.Background(), "Once upon a time", smelt.GenerateOptions{MaxTokens: 20},
		func(t smelt.Token) error {
			fmt.Print(t.Text)
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
}
