package rpc

import (
	"net"
	"net/http"
	"strings"
)

// withVHosts refuses HTTP requests whose Host header is not allowed, which
// blocks DNS rebinding. Requests by IP address are always allowed, as in
// go-ethereum's node package.
func withVHosts(allowed []string, next http.Handler) http.Handler {
	hosts := make(map[string]bool, len(allowed))
	for _, h := range allowed {
		hosts[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "" || hosts["*"] {
			next.ServeHTTP(w, r)
			return
		}
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host // no port
		}
		if net.ParseIP(host) != nil || hosts[strings.ToLower(host)] {
			next.ServeHTTP(w, r)
			return
		}
		http.Error(w, "invalid host specified", http.StatusForbidden)
	})
}

// withCORS answers CORS preflights and tags responses for allowed browser
// origins. With no allowed origins it adds nothing, so browsers block
// cross-origin reads.
func withCORS(allowed []string, next http.Handler) http.Handler {
	if len(allowed) == 0 {
		return next
	}
	origins := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		origins[strings.ToLower(o)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if !origins["*"] && !origins[strings.ToLower(origin)] {
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			w.Header().Set("Access-Control-Allow-Methods", "POST, GET")
			if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
				w.Header().Set("Access-Control-Allow-Headers", h)
			}
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
