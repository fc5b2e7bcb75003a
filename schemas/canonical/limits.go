package canonical

// Limits beyond those in types.go, from the CSENet layout.
const (
	// MaxAliases names and MaxAliasSSNs SSNs of the NCP fit the layout.
	MaxAliases   = 3
	MaxAliasSSNs = 2
	// MaxAddressLineLen bounds address lines, MaxCityLen cities.
	MaxAddressLineLen  = 25
	MaxCityLen         = 18
	MaxEmployerNameLen = 40
	// MaxEmailLen is the layout's Internet-Address.
	MaxEmailLen = 35
	// MaxSerial is the largest transaction serial number: 12 digits.
	MaxSerial = 999_999_999_999
)
