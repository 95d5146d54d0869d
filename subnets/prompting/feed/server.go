package feed

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Page is the JSON body of GET /feed.
type Page struct {
	// Next is the cursor for the following request (since=Next).
	Next    uint64   `json:"next"`
	Records []Record `json:"records"`
}

// Handler serves GET /feed?since=CURSOR&limit=N over a store: records with
// Seq > since, oldest first, at most limit (default and cap MaxPage).
func Handler(s *Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var since uint64
		if v := q.Get("since"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				http.Error(w, "since: not a cursor", http.StatusBadRequest)
				return
			}
			since = n
		}
		limit := MaxPage
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				http.Error(w, "limit: not a positive integer", http.StatusBadRequest)
				return
			}
			limit = min(n, MaxPage)
		}
		recs, next := s.Page(since, limit)
		if recs == nil {
			recs = []Record{}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(Page{Next: next, Records: recs})
	})
	return mux
}
