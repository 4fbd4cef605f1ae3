// Server-side template injection checks for Jinja chat templates. The template is parsed (never
// grepped), then the AST is walked for the ways a template reaches Python internals: dunder
// attributes written out or assembled from pieces, attributes read through `attr` or attribute
// parameters of filters, private attributes, and Jinja globals used as objects.
import type { Severity } from '../../../../../shared/findings.ts';
import { children, text, type Node } from './ast.ts';
import { dottedName, Folder, type Environment, type Source } from './fold.ts';
import { isTemplateText, offsetOf, parseTemplate, type ParsedTemplate } from './parse.ts';

/** Real chat templates run from a few hundred bytes to a few tens of kilobytes. */
export const MAX_TEMPLATE_CHARS = 128 * 1024;
/** A template past this many issues is hostile enough; the rest adds nothing for the auditor. */
const MAX_ISSUES = 100;

export interface TemplateIssue {
  ruleId: 'scan.template.dunder-access' | 'scan.template.global-object' | 'scan.template.private-attribute'
    | 'scan.template.dynamic-attribute' | 'scan.template.parse-error' | 'scan.template.too-large';
  severity: Severity;
  message: string;
  /** 1-based line and column in the template, when known. */
  line?: number;
  column?: number;
  evidence?: Record<string, unknown>;
}

/** Jinja globals that are Python functions: their attributes lead to module globals. */
const TEMPLATE_GLOBALS = new Set(['lipsum', 'cycler', 'joiner', 'namespace', 'range', 'dict', 'self']);

/** Filters whose `attribute=` parameter (or first positional argument) names an attribute. */
const ATTRIBUTE_FILTERS: Record<string, { positional: boolean }> = {
  map: { positional: false }, selectattr: { positional: true }, rejectattr: { positional: true },
  groupby: { positional: true }, sort: { positional: false }, sum: { positional: false },
  unique: { positional: false }, min: { positional: false }, max: { positional: false },
};

const DUNDER = /^__\w+__$/;
const DUNDER_INSIDE = /__[A-Za-z]\w*?__/;

export function checkTemplate(source: string): TemplateIssue[] {
  if (source.length > MAX_TEMPLATE_CHARS) {
    return [{ ruleId: 'scan.template.too-large', severity: 'low', message: `template is ${source.length} characters, above the ${MAX_TEMPLATE_CHARS}-character analysis limit` }];
  }
  const parsed = parseTemplate(source);
  if (!parsed.ok) {
    return [{ ruleId: 'scan.template.parse-error', severity: 'medium', message: `template does not parse (${parsed.error}); it was not checked for template injection` }];
  }
  return new TemplateChecker(parsed.template).run();
}

class TemplateChecker {
  private readonly issues: TemplateIssue[] = [];
  private readonly reported = new Set<string>();
  private readonly env: Environment = new Map();
  private readonly folder: Folder;

  constructor(private readonly template: ParsedTemplate) {
    this.collectAssignments(template.program);
    this.folder = new Folder(this.env);
  }

  run(): TemplateIssue[] {
    this.walk(this.template.program);
    return this.issues;
  }

  // ---- variables --------------------------------------------------------------------------

  private bind(target: Node, source: Source): void {
    if (target.type === 'TupleLiteral' || target.type === 'ArrayLiteral') {
      for (const t of target.value) this.bind(t, { kind: 'unknown' });
      return;
    }
    const name = dottedName(target);
    if (name === null) return;
    const list = this.env.get(name) ?? [];
    list.push(source);
    this.env.set(name, list);
  }

  private collectAssignments(root: Node): void {
    const stack: Node[] = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      switch (n.type) {
        case 'Set':
          this.bind(n.assignee, n.value ? { kind: 'expr', node: n.value } : { kind: 'block', body: n.body });
          break;
        case 'For':
          if (n.loopvar.type === 'Identifier') this.bind(n.loopvar, { kind: 'element', node: n.iterable });
          else this.bind(n.loopvar, { kind: 'unknown' });
          break;
        case 'Macro':
          this.bind(n.name, { kind: 'unknown' });
          for (const a of n.args) {
            if (a.type === 'KeywordArgumentExpression') this.bind(a.key, { kind: 'expr', node: a.value });
            else this.bind(a, { kind: 'unknown' });
          }
          break;
        case 'CallStatement':
          for (const a of n.callerArgs ?? []) this.bind(a.type === 'KeywordArgumentExpression' ? a.key : a, { kind: 'unknown' });
          break;
        default:
          break;
      }
      for (const c of children(n)) stack.push(c);
    }
  }

  private isGlobal(name: string): boolean {
    return TEMPLATE_GLOBALS.has(name) && !this.env.has(name);
  }

  // ---- walking ----------------------------------------------------------------------------

  /** Pre-order, source order, with an explicit stack: long `a ~ b ~ c...` chains nest deeply. */
  private walk(root: Node): void {
    const stack: [Node, Node | null][] = [[root, null]];
    while (stack.length > 0) {
      const [n, parent] = stack.pop()!;
      this.visit(n, parent);
      const kids = children(n);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, n]);
    }
  }

  private visit(n: Node, parent: Node | null): void {
    switch (n.type) {
      case 'MemberExpression':
        this.checkMember(n);
        break;
      case 'FilterExpression':
        this.checkFilter(n.filter);
        this.checkAssembled(n);
        break;
      case 'Identifier':
        this.checkIdentifier(n, parent);
        break;
      case 'StringLiteral':
        if (!isTemplateText(n.value)) this.checkString(n, text(n.value), 'a string literal');
        break;
      case 'BinaryExpression':
      case 'CallExpression':
        this.checkAssembled(n);
        break;
      default:
        break;
    }
  }

  private checkMember(n: Extract<Node, { type: 'MemberExpression' }>): void {
    if (!n.computed) {
      if (n.property.type === 'Identifier') this.checkAttributeName(text(n.property.value), n.property, `.${text(n.property.value)}`);
      return;
    }
    if (n.property.type === 'SliceExpression') {
      this.checkAssembled(n);
      return;
    }
    this.checkComputedName(n.property, 'subscript');
  }

  private checkFilter(filter: Extract<Node, { type: 'FilterExpression' }>['filter']): void {
    const name = filter.type === 'Identifier' ? text(filter.value) : filter.callee.type === 'Identifier' ? text(filter.callee.value) : '';
    const args = filter.type === 'CallExpression' ? filter.args : [];
    const positional = args.filter((a) => a.type !== 'KeywordArgumentExpression');
    const keyword = (key: string): Node | undefined => {
      const kw = args.find((a) => a.type === 'KeywordArgumentExpression' && text(a.key.value) === key);
      return kw?.type === 'KeywordArgumentExpression' ? kw.value : undefined;
    };
    if (name === 'attr') {
      const arg = positional[0];
      if (arg) this.checkComputedName(arg, '|attr', true);
      return;
    }
    const spec = ATTRIBUTE_FILTERS[name];
    if (!spec) return;
    // map('attr', name) applies the attr filter to every item.
    if (name === 'map' && positional[0]) {
      const f = this.folder.fold(positional[0]);
      if (f.values.includes('attr') && positional[1]) this.checkComputedName(positional[1], '|map(\'attr\')', true);
    }
    const attrArg = keyword('attribute') ?? (spec.positional ? positional[0] : undefined);
    if (attrArg) this.checkComputedName(attrArg, `|${name} attribute`, false, true);
  }

  private checkIdentifier(n: Extract<Node, { type: 'Identifier' }>, parent: Node | null): void {
    const name = text(n.value);
    if (!parent) return;
    // Names that are not variable reads: filter and test names, keyword keys, assignment targets.
    if (parent.type === 'FilterExpression' && parent.filter === n) return;
    if (parent.type === 'CallExpression' && parent.callee === n) return;
    if (parent.type === 'TestExpression' && parent.test === n) return;
    if (parent.type === 'KeywordArgumentExpression' && parent.key === n) return;
    if (parent.type === 'MemberExpression' && parent.property === n && !parent.computed) return;
    if (parent.type === 'Macro' && parent.name === n) return;
    if (DUNDER.test(name)) {
      this.add('scan.template.dunder-access', 'high', `template reads the Python internal name ${name}`, n, { attribute: name, via: 'variable' });
      return;
    }
    if (this.isGlobal(name)) {
      const use = parent.type === 'MemberExpression' ? `reads attributes of ${name}` : parent.type === 'FilterExpression' ? `passes ${name} through a filter` : `uses ${name} as a value`;
      this.add('scan.template.global-object', 'high', `template ${use}; Jinja global ${name} is a Python function whose attributes lead to its module`, n, { global: name });
    }
  }

  /** An attribute name written literally: `.name`. */
  private checkAttributeName(name: string, at: Node, how: string): void {
    if (DUNDER.test(name)) {
      this.add('scan.template.dunder-access', 'high', `template reads Python attribute ${name} (written as ${how})`, at, { attribute: name, via: how });
    } else if (name.startsWith('_')) {
      this.add('scan.template.private-attribute', 'medium', `template reads private attribute ${name} (written as ${how})`, at, { attribute: name, via: how });
    }
  }

  /**
   * An attribute name computed from an expression: `x[expr]`, `x|attr(expr)`, `attribute=expr`.
   * `alwaysDynamic`: flag a non-constant name even when it is not visibly assembled (attr filter).
   */
  private checkComputedName(expr: Node, via: string, alwaysDynamic = false, dotted = false): void {
    const f = this.folder.fold(expr);
    const how = f.assembled ? `assembled with ${describeAssembly(expr)} and used as ${via}` : `used as ${via}`;
    const names = f.values.filter((v): v is string => typeof v === 'string').flatMap((v) => (dotted ? v.split('.') : [v]));
    const dunders = [...new Set(names.filter((p) => DUNDER.test(p)))];
    for (const name of dunders) {
      this.add('scan.template.dunder-access', 'high', `template reads Python attribute ${name} (${how})`, expr, { attribute: name, via, assembled: f.assembled });
    }
    if (dunders.length > 0) return;
    // A name only partly known but built from dunder pieces (a loop appending '__cla', 'ss__').
    const pieces = f.complete ? [] : [...f.fragments].filter(isDunderPiece);
    if (pieces.length > 0) {
      this.add('scan.template.dunder-access', 'high',
        `template builds an attribute name from the pieces ${pieces.map((p) => JSON.stringify(p)).join(', ')} and uses it as ${via}`,
        expr, { fragments: pieces, via });
      return;
    }
    // A literal subscript like m['_private'] is a dict key, not necessarily an attribute.
    const privates = [...new Set(names.filter((p) => p.startsWith('_') && (via !== 'subscript' || f.assembled)))];
    for (const name of privates) {
      this.add('scan.template.private-attribute', 'medium', `template reads private attribute ${name} (${how})`, expr, { attribute: name, via });
    }
    if (privates.length === 0 && !f.complete && (alwaysDynamic || f.assembled)) {
      this.add('scan.template.dynamic-attribute', 'medium', `template uses an attribute name computed at render time (${describeAssembly(expr)}) as ${via}`, expr, { via });
    }
  }

  /** A string-building expression anywhere whose value contains a dunder name. */
  private checkAssembled(n: Node): void {
    const f = this.folder.fold(n);
    if (!f.assembled) return;
    for (const v of f.values) if (typeof v === 'string') this.checkString(n, v, `an expression built with ${describeAssembly(n)}`);
  }

  private checkString(n: Node, value: string, what: string): void {
    const m = DUNDER_INSIDE.exec(value);
    if (!m) return;
    this.add('scan.template.dunder-access', 'high', `template contains the Python internal name ${m[0]} in ${what}`, n, { attribute: m[0], value: value.slice(0, 200) });
  }

  // ---- reporting --------------------------------------------------------------------------

  /** The smallest source offset among the tagged leaves of a subtree (iterative, bounded). */
  private startOf(n: Node): number | undefined {
    let best: number | undefined;
    const stack: Node[] = [n];
    for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
      const x = stack.pop()!;
      const o = x.type === 'Identifier' || x.type === 'StringLiteral' ? offsetOf(x.value) : undefined;
      if (o !== undefined && (best === undefined || o < best)) best = o;
      for (const c of children(x)) stack.push(c);
    }
    return best;
  }

  private add(ruleId: TemplateIssue['ruleId'], severity: Severity, message: string, at: Node, evidence: Record<string, unknown>): void {
    if (this.issues.length >= MAX_ISSUES) return;
    const offset = this.startOf(at);
    const name = String(evidence.attribute ?? evidence.global ?? evidence.fragments ?? evidence.via ?? '');
    // One finding per rule, name and place: an assembled name is seen by its sink and by the
    // expressions inside it; the sink (visited first) words the finding.
    const key = `${ruleId}|${name}|${offset ?? '?'}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const issue: TemplateIssue = { ruleId, severity, message, evidence };
    if (offset !== undefined) {
      const { line, column } = this.template.position(offset);
      issue.line = line;
      issue.column = column;
      issue.message = `${message} (line ${line}, column ${column})`;
    }
    this.issues.push(issue);
  }
}

function isDunderPiece(s: string): boolean {
  return s.startsWith('__') || s.endsWith('__') || s === '_';
}

/** A short human description of how an expression builds its string. */
function describeAssembly(n: Node): string {
  const ops = new Set<string>();
  const stack: Node[] = [n];
  let count = 0;
  while (stack.length > 0 && count++ < 500) {
    const x = stack.pop()!;
    switch (x.type) {
      case 'BinaryExpression':
        if (['~', '+', '%', '*'].includes(x.operator.value)) ops.add(`'${x.operator.value}'`);
        stack.push(x.left, x.right);
        break;
      case 'FilterExpression': {
        const f = x.filter;
        ops.add(`|${f.type === 'Identifier' ? text(f.value) : f.callee.type === 'Identifier' ? text(f.callee.value) : '?'}`);
        stack.push(x.operand, ...(f.type === 'CallExpression' ? f.args : []));
        break;
      }
      case 'CallExpression': {
        const c = x.callee;
        if (c.type === 'Identifier') ops.add(`${text(c.value)}()`);
        else if (c.type === 'MemberExpression' && c.property.type === 'Identifier') {
          ops.add(`.${text(c.property.value)}()`);
          stack.push(c.object);
        }
        for (const a of x.args) stack.push(a);
        break;
      }
      case 'KeywordArgumentExpression':
        stack.push(x.value);
        break;
      case 'MemberExpression':
        if (x.computed && x.property.type === 'SliceExpression') ops.add('slicing');
        {
          const name = dottedName(x);
          if (name) ops.add(`variable ${name}`);
          else stack.push(x.object, x.property);
        }
        break;
      case 'Identifier':
        ops.add(`variable ${text(x.value)}`);
        break;
      default:
        for (const c of children(x)) stack.push(c);
    }
  }
  return ops.size > 0 ? [...ops].slice(0, 6).join(', ') : 'an expression';
}
