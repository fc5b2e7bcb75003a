package safexml

import (
	"github.com/beevik/etree"

	"github.com/uifsagw/uifsagw/schemas/canonical"
)

// The parts below are shaped the same in every XML format of the gateway, so
// a name or an address reads the same to a partner and an employer.

// ReadName reads First, Middle, Last and Suffix children of n.
func ReadName(n *Node, cpath string) canonical.Name {
	return canonical.Name{
		First:  n.Str("First", cpath+".first"),
		Middle: n.Str("Middle", cpath+".middle"),
		Last:   n.Str("Last", cpath+".last"),
		Suffix: n.Str("Suffix", cpath+".suffix"),
	}
}

// WriteName writes a name into e.
func WriteName(w *Writer, e *etree.Element, nm canonical.Name) {
	w.Text(e, "First", nm.First)
	w.Text(e, "Middle", nm.Middle)
	w.Text(e, "Last", nm.Last)
	w.Text(e, "Suffix", nm.Suffix)
}

// ReadAddress reads an address element's children.
func ReadAddress(n *Node) canonical.Address {
	return canonical.Address{
		Line1: n.Str("Line1", n.CPath+".line1"),
		Line2: n.Str("Line2", n.CPath+".line2"),
		City:  n.Str("City", n.CPath+".city"),
		State: n.Str("State", n.CPath+".state"),
		Zip:   n.Str("Zip", n.CPath+".zip"),
	}
}

// ReadAddressPtr reads the optional child address name.
func ReadAddressPtr(n *Node, name, cpath string) *canonical.Address {
	c := n.One(name, cpath)
	if c == nil {
		return nil
	}
	a := ReadAddress(c)
	return &a
}

// WriteAddress writes a as the child name of parent, unless a is nil.
func WriteAddress(w *Writer, parent *etree.Element, name string, a *canonical.Address) {
	if a == nil {
		return
	}
	e := parent.CreateElement(name)
	w.Text(e, "Line1", a.Line1)
	w.Text(e, "Line2", a.Line2)
	w.Text(e, "City", a.City)
	w.Text(e, "State", a.State)
	w.Text(e, "Zip", a.Zip)
}

// ReadContact reads the optional child contact name.
func ReadContact(n *Node, name, cpath string) *canonical.Contact {
	c := n.One(name, cpath)
	if c == nil {
		return nil
	}
	// These formats write the contact's name as one string and the phone
	// with punctuation; the canonical model has the federal name parts and
	// 10 digits.
	return &canonical.Contact{
		Name:  canonical.NameFromText(c.Str("Name", cpath+".name")),
		Phone: canonical.DigitsOnly(c.Str("Phone", cpath+".phone")),
		Email: c.Str("Email", cpath+".email"),
	}
}

// WriteContact writes c as the child name of parent, unless c is nil.
func WriteContact(w *Writer, parent *etree.Element, name string, c *canonical.Contact) {
	if c == nil {
		return
	}
	e := parent.CreateElement(name)
	w.Text(e, "Name", c.Name.Text())
	w.Text(e, "Phone", c.Phone)
	w.Text(e, "Email", c.Email)
}

// ReadEmployer reads an employer element's children.
func ReadEmployer(n *Node) canonical.Employer {
	return canonical.Employer{
		EIN:     n.Str("EIN", n.CPath+".ein"),
		Name:    n.Str("Name", n.CPath+".name"),
		Address: ReadAddressPtr(n, "Address", n.CPath+".address"),
		Phone:   n.Str("Phone", n.CPath+".phone"),
	}
}

// WriteEmployer writes an employer as the child name of parent.
func WriteEmployer(w *Writer, parent *etree.Element, name string, emp canonical.Employer) {
	e := parent.CreateElement(name)
	w.Text(e, "EIN", emp.EIN)
	w.Text(e, "Name", emp.Name)
	WriteAddress(w, e, "Address", emp.Address)
	w.Text(e, "Phone", emp.Phone)
}

// ReadIWOContact reads the optional child contact of an IWO.
func ReadIWOContact(n *Node, name, cpath string) *canonical.IWOContact {
	c := n.One(name, cpath)
	if c == nil {
		return nil
	}
	return &canonical.IWOContact{
		Name:  c.Str("Name", cpath+".name"),
		Phone: c.Str("Phone", cpath+".phone"),
		Email: c.Str("Email", cpath+".email"),
	}
}

// WriteIWOContact writes an IWO's contact as the child name of parent, unless c is nil.
func WriteIWOContact(w *Writer, parent *etree.Element, name string, c *canonical.IWOContact) {
	if c == nil {
		return
	}
	e := parent.CreateElement(name)
	w.Text(e, "Name", c.Name)
	w.Text(e, "Phone", c.Phone)
	w.Text(e, "Email", c.Email)
}
