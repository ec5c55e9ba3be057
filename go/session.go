package tlsm

import (
	"container/list"
	"sync"
)

// SessionCache stores client sessions (the blobs of Engine.Session) for resumption,
// the counterpart of crypto/tls.ClientSessionCache. Implementations must be safe for
// concurrent use.
type SessionCache interface {
	// Get returns the session stored under key.
	Get(key string) (session []byte, ok bool)
	// Put stores a session under key; a nil session removes the entry.
	Put(key string, session []byte)
}

// NewLRUSessionCache returns a SessionCache that keeps the capacity most recently used
// sessions (64 if capacity < 1).
func NewLRUSessionCache(capacity int) SessionCache {
	if capacity < 1 {
		capacity = 64
	}
	return &lruCache{cap: capacity, m: map[string]*list.Element{}, l: list.New()}
}

type lruCache struct {
	mu  sync.Mutex
	cap int
	m   map[string]*list.Element
	l   *list.List
}

type lruEntry struct {
	key     string
	session []byte
}

func (c *lruCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.l.MoveToFront(el)
		return el.Value.(*lruEntry).session, true
	}
	return nil, false
}

func (c *lruCache) Put(key string, session []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		if session == nil {
			c.l.Remove(el)
			delete(c.m, key)
			return
		}
		el.Value.(*lruEntry).session = session
		c.l.MoveToFront(el)
		return
	}
	if session == nil {
		return
	}
	if c.l.Len() >= c.cap {
		old := c.l.Back()
		c.l.Remove(old)
		delete(c.m, old.Value.(*lruEntry).key)
	}
	c.m[key] = c.l.PushFront(&lruEntry{key, session})
}
