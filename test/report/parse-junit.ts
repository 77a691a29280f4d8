/** JUnit XML parsed by python3's xml.etree in a child process: a real XML 1.0 parser, strict about well-formedness. */
import { execFileSync } from 'node:child_process';

export interface Case { classname: string; name: string; failure?: { message: string; type: string; text: string }; out?: string }
export interface Parsed { suites: Record<string, string>; suite: Record<string, string>; cases: Case[]; err?: string }

const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
suite = root.find('testsuite')
cases = []
for c in suite.findall('testcase'):
    f = c.find('failure'); o = c.find('system-out')
    case = {'classname': c.get('classname'), 'name': c.get('name')}
    if f is not None: case['failure'] = {'message': f.get('message'), 'type': f.get('type'), 'text': f.text}
    if o is not None: case['out'] = o.text
    cases.append(case)
e = suite.find('system-err')
print(json.dumps({'suites': dict(root.attrib), 'suite': dict(suite.attrib), 'cases': cases, 'err': e.text if e is not None else None}))
`;

/** Parsed by python3's xml.etree: it raises on anything not well-formed XML 1.0. */
export function parseJunit(xml: string): Parsed {
  return JSON.parse(execFileSync('python3', ['-c', PARSE], { input: xml, encoding: 'utf8' }));
}

