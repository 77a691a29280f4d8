/**
 * The policy directive `trust-local-packages`: a package version that no
 * configured repository offers may explain changes too (a host that installs
 * its own .deb or .rpm files). Read from the rules text the scan uses, with
 * the same comment rule as the parser (which accepts the directive).
 */
export function trustsLocalPackages(rulesText: string): boolean {
  return rulesText.split('\n').some((raw) => raw.replace(/(^|\s)#.*$/, '').trim() === 'trust-local-packages');
}
