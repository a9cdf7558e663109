package derive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto/kzg4844"
)

// Defaults of BeaconConfig.
const (
	DefaultBeaconTimeout = 10 * time.Second
	// DefaultBeaconMaxResponse fits 64 blobs as JSON hex, well above any
	// block's blob limit; the versioned_hashes filter usually keeps answers
	// to the batch's own blobs.
	DefaultBeaconMaxResponse = 64 * (2*len(kzg4844.Blob{}) + 1024)
)

// BeaconConfig says where and how the verifier reads blobs.
type BeaconConfig struct {
	// URL is the beacon node's HTTP API base (scheme and host, optionally a
	// path prefix). DefaultBeaconURL derives it from the L1 RPC URL, where
	// anvil serves the beacon API.
	URL string
	// Timeout bounds each request; 0 means DefaultBeaconTimeout.
	Timeout time.Duration
	// MaxResponse bounds the bytes of one response body; 0 means
	// DefaultBeaconMaxResponse.
	MaxResponse int
}

// HeaderReader reads L1 headers by number; *ethclient.Client implements it.
type HeaderReader interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// BeaconClient fetches blobs from a beacon node's HTTP API: first
// /eth/v1/beacon/blobs/{block_id}?versioned_hashes=… (Fulu and later, and
// anvil), then, if the node does not know that route,
// /eth/v1/beacon/blob_sidecars/{block_id} (Deneb and Electra nodes).
//
// The block ID of L1 block N is the root of the beacon block that carried
// it, which is block N+1's parentBeaconBlockRoot (EIP-4788). An L1 that
// leaves that root zero has no beacon chain behind it (anvil); its beacon
// API is keyed by execution block hash, which is used instead.
type BeaconClient struct {
	base    *url.URL
	l1      HeaderReader
	http    *http.Client
	timeout time.Duration
	max     int
}

var _ BlobSource = (*BeaconClient)(nil)

// DefaultBeaconURL returns the scheme and host of an L1 RPC URL (ws and wss
// become http and https): where anvil serves its beacon API.
func DefaultBeaconURL(l1RPC string) (string, error) {
	u, err := url.Parse(l1RPC)
	if err != nil {
		return "", fmt.Errorf("derive: L1 RPC URL %q: %w", l1RPC, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return "", fmt.Errorf("derive: L1 RPC URL %q is not HTTP or WebSocket: give the beacon URL", l1RPC)
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String(), nil
}

// NewBeaconClient returns a client of the beacon API at cfg.URL; l1 reads
// the headers that name beacon blocks.
func NewBeaconClient(cfg BeaconConfig, l1 HeaderReader) (*BeaconClient, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("derive: beacon URL %q is not an http(s) URL", cfg.URL)
	}
	if l1 == nil {
		return nil, errors.New("derive: beacon client needs an L1 header reader")
	}
	c := &BeaconClient{base: u, l1: l1, http: &http.Client{}, timeout: cfg.Timeout, max: cfg.MaxResponse}
	if c.timeout <= 0 {
		c.timeout = DefaultBeaconTimeout
	}
	if c.max <= 0 {
		c.max = DefaultBeaconMaxResponse
	}
	return c, nil
}

// Blobs returns the blobs the beacon node serves for the L1 block with
// this header, asking only for the given versioned hashes.
func (c *BeaconClient) Blobs(ctx context.Context, block *types.Header, hashes []common.Hash) ([]kzg4844.Blob, error) {
	id, err := c.blockID(ctx, block)
	if err != nil {
		return nil, err
	}
	q := make([]string, len(hashes))
	for i, h := range hashes {
		q[i] = h.Hex()
	}
	var blobs struct {
		Data []hexutil.Bytes `json:"data"`
	}
	status, err := c.get(ctx, "eth/v1/beacon/blobs/"+id, url.Values{"versioned_hashes": {strings.Join(q, ",")}}, &blobs)
	if err == nil {
		return toBlobs(blobs.Data)
	}
	if !routeMissing(status) {
		return nil, err
	}
	var sidecars struct {
		Data []struct {
			Blob hexutil.Bytes `json:"blob"`
		} `json:"data"`
	}
	if _, err2 := c.get(ctx, "eth/v1/beacon/blob_sidecars/"+id, nil, &sidecars); err2 != nil {
		return nil, errors.Join(err, err2)
	}
	raw := make([]hexutil.Bytes, len(sidecars.Data))
	for i, s := range sidecars.Data {
		raw[i] = s.Blob
	}
	return toBlobs(raw)
}

// routeMissing reports an HTTP status with which a node says it has no
// such endpoint (or no longer has it: anvil answers 410 for blob_sidecars).
// A 404 may also mean an unknown block; asking the other route then costs
// one request.
func routeMissing(status int) bool {
	switch status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusGone, http.StatusNotImplemented:
		return true
	}
	return false
}

// blockID names the beacon block that carried the L1 block: see
// BeaconClient.
func (c *BeaconClient) blockID(ctx context.Context, block *types.Header) (string, error) {
	next, err := c.l1.HeaderByNumber(ctx, new(big.Int).Add(block.Number, big.NewInt(1)))
	if err != nil {
		return "", fmt.Errorf("L1 header %d, to name the beacon block of %d: %w", block.Number.Uint64()+1, block.Number.Uint64(), err)
	}
	if next.ParentHash != block.Hash() {
		return "", fmt.Errorf("L1 block %d does not follow %v (reorg in progress)", block.Number.Uint64()+1, block.Hash())
	}
	if next.ParentBeaconRoot == nil || *next.ParentBeaconRoot == (common.Hash{}) {
		return block.Hash().Hex(), nil
	}
	return next.ParentBeaconRoot.Hex(), nil
}

// get fetches path under the base URL and decodes its JSON into out. It
// returns the HTTP status (0 if there was no answer). Transport errors and
// error statuses are returned as is (the caller retries); an oversized or
// unparsable body is ErrBeaconResponse.
func (c *BeaconClient) get(ctx context.Context, path string, query url.Values, out any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, fmt.Errorf("beacon request %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("beacon GET %s: %w", u.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.max)+1))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("beacon GET %s: read body: %w", u.Path, err)
	}
	if resp.StatusCode != http.StatusOK {
		const snippet = 200
		return resp.StatusCode, fmt.Errorf("beacon GET %s: HTTP %s: %.*s", u.Path, resp.Status, snippet, body)
	}
	if len(body) > c.max {
		return resp.StatusCode, fmt.Errorf("%w: GET %s: body over %d bytes", ErrBeaconResponse, u.Path, c.max)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, fmt.Errorf("%w: GET %s: %v", ErrBeaconResponse, u.Path, err)
	}
	return resp.StatusCode, nil
}

// toBlobs checks that every served blob has exactly a blob's size.
func toBlobs(raw []hexutil.Bytes) ([]kzg4844.Blob, error) {
	blobs := make([]kzg4844.Blob, len(raw))
	for i, b := range raw {
		if len(b) != len(blobs[i]) {
			return nil, fmt.Errorf("%w: served blob %d has %d bytes, want %d", ErrBeaconResponse, i, len(b), len(blobs[i]))
		}
		copy(blobs[i][:], b)
	}
	return blobs, nil
}
