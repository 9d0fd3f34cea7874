package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/teamviewer-community/terraform-provider-teamviewer/internal/emulator"
)

// stateFile persists the emulator's users and groups in a JSON file, so that an
// emulator killed and restarted with the same file keeps them. A zero path
// disables it.
type stateFile struct {
	path string
	mu   sync.Mutex // serializes saves; each one writes a fresh snapshot
}

// load reads the file into s and reports whether there was one.
func (f *stateFile) load(s *emulator.Server) (bool, error) {
	if f.path == "" {
		return false, nil
	}
	file, err := os.Open(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.LoadState(file); err != nil {
		_ = file.Close()
		return true, err
	}
	return true, file.Close()
}

// save writes the users and groups of s to the file.
func (f *stateFile) save(s *emulator.Server) error {
	if f.path == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var buf bytes.Buffer
	if err := s.SaveState(&buf); err != nil {
		return err
	}
	return writeFileAtomic(f.path, buf.Bytes())
}

// writeFileAtomic replaces the file at path with data through a temporary
// file and a rename, so that a reader, or an emulator restarted after a
// kill, finds the old content or the new, never a mix. The file is created
// readable by its owner only: the state holds initial passwords.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
