package emulator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// firstIDNumber numbers the first user, so that ids look like TeamViewer's
// ("u" and seven digits).
const firstIDNumber = 1000001

// store holds the company's users in creation order. It does no locking:
// Server.mu guards it.
type store struct {
	ordered  []*User
	byID     map[string]*User
	reserved []string // userNames taken by accounts outside the company
	nextID   int
}

func newStore(reserved []string) *store {
	return &store{
		byID:     map[string]*User{},
		reserved: slices.Clone(reserved),
		nextID:   firstIDNumber,
	}
}

// newID returns an unused id, greater than any the store has seen.
func (st *store) newID() string {
	id := "u" + strconv.Itoa(st.nextID)
	st.nextID++
	return id
}

// insert appends u, which must have an id not in use. A duplicate id is a
// bug in the caller, hence the panic.
func (st *store) insert(u User) {
	if _, exists := st.byID[u.ID]; exists || u.ID == "" {
		panic(fmt.Sprintf("emulator: user id %q is empty or already in use", u.ID))
	}
	// Keep generated ids clear of ids chosen by the caller.
	if digits, ok := strings.CutPrefix(u.ID, "u"); ok {
		if n, err := strconv.Atoi(digits); err == nil && n >= st.nextID {
			st.nextID = n + 1
		}
	}
	st.ordered = append(st.ordered, &u)
	st.byID[u.ID] = &u
}

func (st *store) get(id string) (User, bool) {
	u, ok := st.byID[id]
	if !ok {
		return User{}, false
	}
	return *u, true
}

// replace stores u in place of the user with its id, keeping its position.
func (st *store) replace(u User) bool {
	stored, ok := st.byID[u.ID]
	if ok {
		*stored = u
	}
	return ok
}

func (st *store) remove(id string) bool {
	if _, ok := st.byID[id]; !ok {
		return false
	}
	delete(st.byID, id)
	st.ordered = slices.DeleteFunc(st.ordered, func(u *User) bool { return u.ID == id })
	return true
}

// removeAll empties the store; ids keep increasing so none is reused.
func (st *store) removeAll() {
	st.ordered = nil
	clear(st.byID)
}

// matching returns copies of the users match accepts, in creation order.
func (st *store) matching(match predicate) []User {
	var users []User
	for _, u := range st.ordered {
		if match(u) {
			users = append(users, *u)
		}
	}
	return users
}

// userNameTaken reports whether userName belongs to a user other than
// exceptID, inside or outside the company. Like TeamViewer, it ignores case.
func (st *store) userNameTaken(userName, exceptID string) bool {
	for _, u := range st.ordered {
		if u.ID != exceptID && strings.EqualFold(u.UserName, userName) {
			return true
		}
	}
	return slices.ContainsFunc(st.reserved, func(r string) bool { return strings.EqualFold(r, userName) })
}
