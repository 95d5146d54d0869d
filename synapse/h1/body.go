package h1

import (
	"bufio"
	"io"
)

// body reads a response body framed by Content-Length, chunked coding or the end of
// the connection, and hands the connection back when the body is over.
type body struct {
	cn *conn
	br *bufio.Reader
	// Exactly one framing: remaining ≥ 0 (Content-Length), chunked, or neither
	// (until EOF).
	remaining int64
	chunked   bool
	keepAlive bool // the response allows reusing the connection
	// Chunked state: bytes left in the current chunk, and whether its CRLF is due.
	chunkLeft int64
	crlfDue   bool
	err       error // sticky: io.EOF once the body is over
	closed    bool
}

func (b *body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.closed {
		return 0, errClosedBody
	}
	var n int
	switch {
	case b.chunked:
		n, b.err = b.readChunked(p)
	case b.remaining >= 0:
		n, b.err = b.readFixed(p)
	default:
		n, b.err = b.br.Read(p)
	}
	if b.err == io.EOF {
		b.finish(b.keepAlive)
	} else if b.err != nil {
		b.finish(false)
	}
	return n, b.err
}

func (b *body) readFixed(p []byte) (int, error) {
	if b.remaining == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.remaining {
		p = p[:b.remaining]
	}
	n, err := b.br.Read(p)
	b.remaining -= int64(n)
	switch {
	case b.remaining == 0:
		return n, io.EOF
	case err == io.EOF:
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// readChunked returns data of the current chunk only, so a streamed chunk is handed
// over as soon as it arrives rather than after the next chunk's header.
func (b *body) readChunked(p []byte) (int, error) {
	if b.chunkLeft == 0 {
		if b.crlfDue {
			if err := b.expectCRLF(); err != nil {
				return 0, err
			}
			b.crlfDue = false
		}
		size, err := b.chunkSize()
		if err != nil {
			return 0, err
		}
		if size == 0 {
			if err := b.skipTrailers(); err != nil {
				return 0, err
			}
			return 0, io.EOF
		}
		b.chunkLeft = size
	}
	if int64(len(p)) > b.chunkLeft {
		p = p[:b.chunkLeft]
	}
	n, err := b.br.Read(p)
	b.chunkLeft -= int64(n)
	if b.chunkLeft == 0 {
		b.crlfDue = true
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

func (b *body) expectCRLF() error {
	var crlf [2]byte
	if _, err := io.ReadFull(b.br, crlf[:]); err != nil {
		return unexpected(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return malformed("chunk data not followed by CRLF")
	}
	return nil
}

// chunkSize reads "1*16HEXDIG CRLF". Chunk extensions are refused: neither net/http's
// nor Python's servers send them, and they only serve to pad the stream.
func (b *body) chunkSize() (int64, error) {
	line, err := b.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return 0, malformed("chunk size line too long")
	}
	if err != nil {
		return 0, unexpected(err)
	}
	if len(line) < 3 || len(line) > 18 || line[len(line)-2] != '\r' {
		return 0, malformed("chunk size line %q", clip(string(line)))
	}
	var n int64
	for _, c := range line[:len(line)-2] {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, malformed("chunk size line %q", clip(string(line)))
		}
		n = n<<4 | int64(d)
	}
	if n < 0 {
		return 0, malformed("chunk size overflows")
	}
	return n, nil
}

// maxTrailerBytes bounds the trailer section after the last chunk.
const maxTrailerBytes = 8 << 10

// skipTrailers reads and discards trailer fields up to the blank line.
func (b *body) skipTrailers() error {
	total := 0
	for {
		line, err := b.br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return malformed("trailer line too long")
		}
		if err != nil {
			return unexpected(err)
		}
		if total += len(line); total > maxTrailerBytes {
			return malformed("trailers longer than %d bytes", maxTrailerBytes)
		}
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return malformed("trailer line not terminated by CRLF")
		}
		if len(line) == 2 {
			return nil
		}
		if _, err := parseField(string(line[:len(line)-2])); err != nil {
			return err
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Close ends the body; an unfinished body closes the connection instead of
// returning it to the pool.
func (b *body) Close() error {
	if !b.closed {
		b.closed = true
		if b.cn != nil {
			b.finish(false)
		}
	}
	return nil
}

// finish hands the connection back (reusable: the body ended exactly at its framing)
// or closes it, once.
func (b *body) finish(reusable bool) {
	if cn := b.cn; cn != nil {
		b.cn = nil
		cn.done(reusable && b.keepAlive)
	}
}
