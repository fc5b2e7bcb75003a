package partners

import "embed"

// Withholding holds the shipped state withholding rules (withholding/*.yaml):
// default.yaml is the federal CCPA baseline, the others one state each.
// Operators add or override states with files in their own folder.
//
//go:embed withholding/*.yaml
var Withholding embed.FS
