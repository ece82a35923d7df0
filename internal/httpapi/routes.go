package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"truce"
)

// handle registers one operation: it checks op for the caller before the
// handler runs, and turns every error into its HTTP form.
func handle[I, O any](s *Server, o huma.Operation, op Op, h func(ctx context.Context, p truce.Principal, in *I) (*O, error)) {
	if o.Metadata == nil {
		o.Metadata = map[string]any{}
	}
	o.Metadata["op"] = op
	if o.Description == "" {
		o.Description = o.Summary + "."
	}
	roles := permissions[op]
	o.Description += "\n\nAllowed roles: " + rolesText(roles) + "."
	huma.Register(s.api, o, func(ctx context.Context, in *I) (*O, error) {
		p := principal(ctx)
		if err := authorize(p, op); err != nil {
			return nil, s.fail(ctx, err)
		}
		out, err := h(ctx, p, in)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		if o.Method != http.MethodGet {
			s.metrics.logAppends.Inc()
		}
		return out, nil
	})
}

func rolesText(roles []truce.Role) string {
	out := ""
	for i, r := range roles {
		if i > 0 {
			out += ", "
		}
		if r == "" {
			out += "public"
		} else {
			out += string(r)
		}
	}
	return out
}

// Operations lists every registered operation with its Op, for the
// permission table test.
func (s *Server) Operations() []*huma.Operation {
	var out []*huma.Operation
	for _, pi := range s.api.OpenAPI().Paths {
		for _, o := range []*huma.Operation{pi.Get, pi.Post, pi.Put, pi.Patch, pi.Delete} {
			if o != nil {
				out = append(out, o)
			}
		}
	}
	return out
}

func (s *Server) routes() {
	s.agreementRoutes()
	s.reportRoutes()
	s.incidentRoutes()
	s.logRoutes()
	s.tokenRoutes()
	s.exportRoutes()
}
