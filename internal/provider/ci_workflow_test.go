package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// ciWorkflowPath is the GitHub Actions workflow of the CI guide, below examples/.
const ciWorkflowPath = "ci/github-actions/teamviewer.yml"

// githubWorkflow is the part of a GitHub Actions workflow that the CI guide promises.
type githubWorkflow struct {
	On struct {
		PullRequest *struct {
			Paths []string `json:"paths"`
		} `json:"pull_request"`
		Push *struct {
			Branches []string `json:"branches"`
			Paths    []string `json:"paths"`
		} `json:"push"`
	} `json:"on"`
	Env  map[string]string    `json:"env"`
	Jobs map[string]githubJob `json:"jobs"`
}

type githubJob struct {
	If          string `json:"if"`
	RunsOn      string `json:"runs-on"`
	Environment string `json:"environment"`
	Concurrency *struct {
		Group            string `json:"group"`
		CancelInProgress bool   `json:"cancel-in-progress"`
	} `json:"concurrency"`
	Env   map[string]string `json:"env"`
	Steps []githubStep      `json:"steps"`
}

type githubStep struct {
	Uses string `json:"uses"`
	Run  string `json:"run"`
}

// runs returns the index of the first step whose command starts with command, or -1.
func (j githubJob) runs(command string) int {
	return slices.IndexFunc(j.Steps, func(s githubStep) bool { return strings.HasPrefix(s.Run, command) })
}

// secretReference is how a workflow passes a secret of the CI system's store.
var secretReference = regexp.MustCompile(`^\$\{\{ secrets\.[A-Z][A-Z0-9_]* \}\}$`)

// checkCIWorkflow checks a workflow, as JSON, for what the CI guide says of it: plans on pull
// requests, applies a saved plan on main one at a time, TF_IN_AUTOMATION, tokens from the secret
// store only, and waits for the state lock.
func checkCIWorkflow(workflowJSON string) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(workflowJSON), &keys); err != nil {
		return fmt.Errorf("the workflow is not a mapping: %w", err)
	}
	// yamldecode reads the key on as the YAML 1.1 boolean true, while GitHub reads it as the
	// string "on"; both mean the workflow's triggers.
	if _, ok := keys["on"]; !ok && keys["true"] != nil {
		keys["on"] = keys["true"]
	}
	normalized, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	var w githubWorkflow
	if err := json.Unmarshal(normalized, &w); err != nil {
		return fmt.Errorf("the workflow does not have the shape of a GitHub Actions workflow: %w", err)
	}
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if w.On.PullRequest == nil {
		fail("on.pull_request is missing: pull requests get no plan")
	}
	if w.On.Push == nil || !slices.Contains(w.On.Push.Branches, "main") {
		fail("on.push.branches does not hold main: nothing applies the main branch")
	} else if w.On.PullRequest != nil && !slices.Equal(w.On.PullRequest.Paths, w.On.Push.Paths) {
		fail("pull requests and pushes filter different paths (%v, %v): a change could be applied unplanned", w.On.PullRequest.Paths, w.On.Push.Paths)
	}
	if w.Env["TF_IN_AUTOMATION"] == "" {
		fail("env.TF_IN_AUTOMATION is not set")
	}
	if _, ok := w.Env["TEAMVIEWER_TOKEN"]; ok {
		fail("env.TEAMVIEWER_TOKEN is set for the whole workflow; give it only to the jobs that run terraform")
	}

	var plans, applies []string
	for name, job := range w.Jobs {
		if job.RunsOn == "" || len(job.Steps) == 0 {
			fail("job %s has no runs-on or no steps", name)
		}
		for i, step := range job.Steps {
			if (step.Uses == "") == (step.Run == "") {
				fail("step %d of job %s needs exactly one of uses and run", i+1, name)
			}
			if step.Uses != "" && !strings.Contains(step.Uses, "@") {
				fail("step %d of job %s uses %s without a version", i+1, name, step.Uses)
			}
		}
		plan, apply, initialize := job.runs("terraform plan"), job.runs("terraform apply"), job.runs("terraform init")
		if plan < 0 {
			continue
		}
		if initialize < 0 || initialize > plan {
			fail("job %s plans without terraform init before", name)
		}
		if token := job.Env["TEAMVIEWER_TOKEN"]; !secretReference.MatchString(token) {
			fail("job %s takes TEAMVIEWER_TOKEN from %q, not from the secret store", name, token)
		}
		planCommand := job.Steps[plan].Run
		if !strings.Contains(planCommand, "-lock-timeout=") || !strings.Contains(planCommand, "-out=tfplan") {
			fail("job %s: %q should wait for the state lock (-lock-timeout) and save the plan (-out=tfplan)", name, planCommand)
		}
		if apply < 0 {
			if !strings.Contains(job.If, "pull_request") {
				fail("job %s plans but does not run on pull requests only (if: %q)", name, job.If)
			}
			plans = append(plans, name)
			continue
		}
		applies = append(applies, name)
		if !strings.Contains(job.If, "github.event_name == 'push'") || !strings.Contains(job.If, "github.ref == 'refs/heads/main'") {
			fail("job %s applies on more than pushes to main (if: %q)", name, job.If)
		}
		if applyCommand := job.Steps[apply].Run; apply < plan || !strings.HasSuffix(applyCommand, " tfplan") ||
			!strings.Contains(applyCommand, "-lock-timeout=") {
			fail("job %s should apply the plan it saved, waiting for the state lock; it runs %q", name, applyCommand)
		}
		if job.Concurrency == nil || job.Concurrency.Group == "" || strings.Contains(job.Concurrency.Group, "${{") ||
			job.Concurrency.CancelInProgress {
			fail("job %s needs a fixed concurrency group without cancel-in-progress: one apply at a time, never cut off", name)
		}
		if job.Environment == "" {
			fail("job %s has no environment to hold the token that may write", name)
		}
	}
	if len(plans) != 1 || len(applies) != 1 {
		fail("want one job that plans pull requests and one that applies main; found plans %v, applies %v", plans, applies)
	}
	return errors.Join(errs...)
}

// The GitHub Actions workflow of the CI guide, checked as far as a check can go offline. The CLI
// under test parses it with yamldecode (the provider's module has no YAML library of its own), and
// checkCIWorkflow checks what the guide promises of it.
func TestAccCIWorkflowExample(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("..", "..", "examples", filepath.FromSlash(ciWorkflowPath)))
	if err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProviders,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("output \"workflow\" {\n  value = jsonencode(yamldecode(file(%q)))\n}\n", path),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("workflow", knownvalue.StringFunc(checkCIWorkflow)),
			},
		}},
	})
}

// checkCIWorkflow finds what is missing from a workflow; the example passes only because it has
// all of it.
func TestCheckCIWorkflowFindsMistakes(t *testing.T) {
	valid := `{
  "on": {"pull_request": {"paths": ["teamviewer/**"]}, "push": {"branches": ["main"], "paths": ["teamviewer/**"]}},
  "env": {"TF_IN_AUTOMATION": "1"},
  "jobs": {
    "plan": {"if": "github.event_name == 'pull_request'", "runs-on": "ubuntu-latest",
      "env": {"TEAMVIEWER_TOKEN": "${{ secrets.TEAMVIEWER_PLAN_TOKEN }}"},
      "steps": [{"uses": "actions/checkout@v5"}, {"run": "terraform init"}, {"run": "terraform plan -lock-timeout=10m -out=tfplan"}]},
    "apply": {"if": "github.event_name == 'push' && github.ref == 'refs/heads/main'", "runs-on": "ubuntu-latest",
      "environment": "teamviewer", "concurrency": {"group": "teamviewer-apply", "cancel-in-progress": false},
      "env": {"TEAMVIEWER_TOKEN": "${{ secrets.TEAMVIEWER_TOKEN }}"},
      "steps": [{"run": "terraform init"}, {"run": "terraform plan -lock-timeout=10m -out=tfplan"}, {"run": "terraform apply -lock-timeout=10m tfplan"}]}
  }
}`
	if err := checkCIWorkflow(valid); err != nil {
		t.Fatalf("a valid workflow fails the check: %v", err)
	}
	if err := checkCIWorkflow(strings.Replace(valid, `"on":`, `"true":`, 1)); err != nil {
		t.Fatalf("the triggers as yamldecode keys them fail the check: %v", err)
	}
	mistakes := map[string][2]string{
		"no pull request trigger":     {`"pull_request": {"paths": ["teamviewer/**"]}, `, ``},
		"a literal token":             {`"${{ secrets.TEAMVIEWER_TOKEN }}"`, `"tv-1234-abcd"`},
		"no TF_IN_AUTOMATION":         {`"TF_IN_AUTOMATION": "1"`, `"TF_LOG": "INFO"`},
		"applies from any branch":     {` && github.ref == 'refs/heads/main'`, ``},
		"applies without a plan file": {`terraform apply -lock-timeout=10m tfplan`, `terraform apply -auto-approve`},
		"cancels an apply halfway":    {`"cancel-in-progress": false`, `"cancel-in-progress": true`},
		"no lock timeout":             {`"terraform plan -lock-timeout=10m -out=tfplan"}]},`, `"terraform plan -out=tfplan"}]},`},
		"an action without a version": {`actions/checkout@v5`, `actions/checkout`},
	}
	for name, edit := range mistakes {
		if !strings.Contains(valid, edit[0]) {
			t.Fatalf("%s: the valid workflow has no %q", name, edit[0])
		}
		if err := checkCIWorkflow(strings.Replace(valid, edit[0], edit[1], 1)); err == nil {
			t.Errorf("%s: the check passes", name)
		}
	}
}
