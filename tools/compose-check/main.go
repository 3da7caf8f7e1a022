// compose-check loads docker-compose.yml with the Compose Specification's own loader (compose-go, the
// library Docker Compose v2 uses) once per profile, and prints what each profile runs as JSON:
// every enabled service with its build, container_name, published ports and dependencies. A file the loader
// rejects (schema, interpolation, a dependency on a missing service) exits non-zero with its error.
//
//	go run ./tools/compose-check docker-compose.yml "" cluster
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

type port struct {
	HostIP    string `json:"hostIp"`
	Published string `json:"published"`
	Target    uint32 `json:"target"`
}

type build struct {
	Context    string            `json:"context"`
	Dockerfile string            `json:"dockerfile"`
	Args       map[string]string `json:"args"`
}

type service struct {
	Image         string            `json:"image,omitempty"`
	Build         *build            `json:"build,omitempty"`
	ContainerName string            `json:"containerName,omitempty"`
	Ports         []port            `json:"ports"`
	DependsOn     map[string]bool   `json:"dependsOn"`
	Environment   map[string]string `json:"environment"`
	Volumes       []string          `json:"volumes"`
}

type profile struct {
	Services map[string]service `json:"services"`
	Disabled []string           `json:"disabled"`
}

func load(file, name string) (profile, error) {
	profiles := []string{}
	if name != "" {
		profiles = append(profiles, name)
	}
	// As `docker compose [--profile name] config` would, but with no .env file or other shell variables
	// leaking in: only the variables a user sets for compose are passed through, so a test can check
	// the file with and without each of them.
	env := []string{}
	for _, name := range []string{"ADMIN_API_KEY", "AUTH_JWT_SECRET", "PLATFORM_KAFKA_BROKERS"} {
		if value, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+value)
		}
	}
	opts, err := cli.NewProjectOptions([]string{file}, cli.WithProfiles(profiles), cli.WithDiscardEnvFile, cli.WithEnv(env), cli.WithName("compose-check"))
	if err != nil {
		return profile{}, err
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		return profile{}, err
	}
	out := profile{Services: map[string]service{}, Disabled: []string{}}
	for name, s := range project.Services {
		svc := service{Image: s.Image, ContainerName: s.ContainerName, Ports: []port{}, DependsOn: map[string]bool{}, Environment: map[string]string{}, Volumes: []string{}}
		if s.Build != nil {
			svc.Build = &build{Context: s.Build.Context, Dockerfile: s.Build.Dockerfile, Args: map[string]string{}}
			for k, v := range s.Build.Args {
				if v != nil {
					svc.Build.Args[k] = *v
				}
			}
		}
		for _, p := range s.Ports {
			svc.Ports = append(svc.Ports, port{HostIP: p.HostIP, Published: p.Published, Target: p.Target})
		}
		for dep, d := range s.DependsOn {
			svc.DependsOn[dep] = d.Required
		}
		for k, v := range s.Environment {
			if v != nil {
				svc.Environment[k] = *v
			}
		}
		for _, v := range s.Volumes {
			svc.Volumes = append(svc.Volumes, v.Source+":"+v.Target)
		}
		out.Services[name] = svc
	}
	for name := range project.DisabledServices {
		out.Disabled = append(out.Disabled, name)
	}
	sort.Strings(out.Disabled)
	return out, nil
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <compose file> <profile>... (\"\" for no profile)")
		os.Exit(2)
	}
	result := map[string]profile{}
	for _, name := range os.Args[2:] {
		p, err := load(os.Args[1], name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "profile %q: %v\n", name, err)
			os.Exit(1)
		}
		result[name] = p
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
