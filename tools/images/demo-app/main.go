// Command demo-app is the application of the real-node tests: it reads DATABASE_URL (the pgx
// output of the tuned Secret), opens its pgxpool to exactly the limit the URL gives
// (pool_max_conns, held open as the minimum too), and serves
//
//	/health  SELECT 1 on a pooled connection (the check the troubleshooting guide recommends)
//	/stats   how many connections the pool holds and its limit, as JSON
//
// on :8080. With GREED=N (an integer above 1) it is a deliberately greedy client: it opens N times
// the pool limit it was given, as an app that ignores connection_limit would (the connection
// ledger's real-node test). Every connection error is logged verbatim; the password never is (pgx's errors
// name the host, user and database, not the password).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set: mount the tuned Secret (envFrom secretRef)")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL: say only that it failed.
		log.Fatal("DATABASE_URL is not a valid pgx connection string")
	}
	if greed := os.Getenv("GREED"); greed != "" {
		n, err := strconv.Atoi(greed)
		if err != nil || n < 1 {
			log.Fatalf("GREED must be a positive integer, not %q", greed)
		}
		log.Printf("GREED=%d: opening %d times the pool limit %d", n, n, cfg.MaxConns)
		cfg.MaxConns *= int32(n)
	}
	// Open exactly the limit: the pool keeps MaxConns connections (no more can be opened).
	cfg.MinConns = cfg.MaxConns
	cfg.HealthCheckPeriod = 2 * time.Second
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		log.Fatalf("connection error: %v", err)
	}
	defer pool.Close()
	log.Printf("pool limit %d (pool_max_conns); opening all of them", cfg.MaxConns)
	go fill(ctx, pool, cfg.MaxConns)

	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		c, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		var one int
		if err := pool.QueryRow(c, "SELECT 1").Scan(&one); err != nil {
			log.Printf("connection error: %v", err)
			http.Error(w, "SELECT 1 failed: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/stats", func(w http.ResponseWriter, r *http.Request) {
		s := pool.Stat()
		json.NewEncoder(w).Encode(map[string]int32{
			"limit": s.MaxConns(), "total": s.TotalConns(), "idle": s.IdleConns(), "acquired": s.AcquiredConns(),
		})
	})
	srv := &http.Server{Addr: ":8080"}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// fill acquires all limit connections at once (each one a real connection), then releases them
// to the pool, which keeps them open; it retries while the server refuses, logging each error.
func fill(ctx context.Context, pool *pgxpool.Pool, limit int32) {
	for ctx.Err() == nil {
		conns := make([]*pgxpool.Conn, 0, limit)
		var failed error
		for i := int32(0); i < limit; i++ {
			c, err := pool.Acquire(ctx)
			if err != nil {
				failed = err
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Release()
		}
		if failed == nil {
			log.Printf("pool holds %d of %d connections", pool.Stat().TotalConns(), limit)
			return
		}
		log.Printf("connection error: %v", failed)
		time.Sleep(time.Second)
	}
}
