package devenv

// Identity returns the issuer identifier and the audience of the tokens it
// mints: with Handler and Keys, what the gateway needs to sign staff in
// against this issuer (gateway.DevSignIn), so the production server does not
// depend on this package.
func (is *Issuer) Identity() (issuerURL, audience string) { return is.URL, is.Audience }
