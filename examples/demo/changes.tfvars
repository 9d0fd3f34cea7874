# The second apply of `make demo`: one rename and one leaver, both changed in place.
users = {
  "ada.lovelace@example.com"      = { display_name = "Ada King, Countess of Lovelace" }
  "alan.turing@example.com"       = { display_name = "Alan Turing", active = false }
  "grace.hopper@example.com"      = { display_name = "Grace Hopper" }
  "linus@example.com"             = { display_name = "Linus" }
  "margaret.hamilton@example.com" = { display_name = "Margaret Hamilton" }
}
