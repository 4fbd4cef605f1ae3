// The shapes of @huggingface/jinja's AST nodes, as data (the package does not export its node
// classes). Identifier and StringLiteral values may be String objects tagged with a source offset
// (see parse.ts), so read them with `text()`.

export type Text = string | String;

export interface Program { type: 'Program'; body: Node[] }
export interface If { type: 'If'; test: Node; body: Node[]; alternate: Node[] }
export interface For { type: 'For'; loopvar: Node; iterable: Node; body: Node[]; defaultBlock: Node[] }
export interface Break { type: 'Break' }
export interface Continue { type: 'Continue' }
export interface SetStatement { type: 'Set'; assignee: Node; value: Node | null; body: Node[] }
export interface Macro { type: 'Macro'; name: Identifier; args: Node[]; body: Node[] }
export interface Comment { type: 'Comment'; value: string }
export interface MemberExpression { type: 'MemberExpression'; object: Node; property: Node; computed: boolean }
export interface CallExpression { type: 'CallExpression'; callee: Node; args: Node[] }
export interface Identifier { type: 'Identifier'; value: Text }
export interface IntegerLiteral { type: 'IntegerLiteral'; value: number }
export interface FloatLiteral { type: 'FloatLiteral'; value: number }
export interface StringLiteral { type: 'StringLiteral'; value: Text }
export interface ArrayLiteral { type: 'ArrayLiteral'; value: Node[] }
export interface TupleLiteral { type: 'TupleLiteral'; value: Node[] }
export interface ObjectLiteral { type: 'ObjectLiteral'; value: Map<Node, Node> }
export interface BinaryExpression { type: 'BinaryExpression'; operator: { value: string }; left: Node; right: Node }
export interface FilterExpression { type: 'FilterExpression'; operand: Node; filter: Identifier | CallExpression }
export interface FilterStatement { type: 'FilterStatement'; filter: Identifier | CallExpression; body: Node[] }
export interface SelectExpression { type: 'SelectExpression'; lhs: Node; test: Node }
export interface TestExpression { type: 'TestExpression'; operand: Node; negate: boolean; test: Identifier }
export interface UnaryExpression { type: 'UnaryExpression'; operator: { value: string }; argument: Node }
export interface SliceExpression { type: 'SliceExpression'; start?: Node; stop?: Node; step?: Node }
export interface KeywordArgumentExpression { type: 'KeywordArgumentExpression'; key: Identifier; value: Node }
export interface SpreadExpression { type: 'SpreadExpression'; argument: Node }
export interface KeywordSpreadExpression { type: 'KeywordSpreadExpression'; argument: Node }
export interface CallStatement { type: 'CallStatement'; call: CallExpression; callerArgs: Node[] | null; body: Node[] }
export interface Ternary { type: 'Ternary'; condition: Node; trueExpr: Node; falseExpr: Node }

export type Node =
  | Program | If | For | Break | Continue | SetStatement | Macro | Comment | MemberExpression | CallExpression
  | Identifier | IntegerLiteral | FloatLiteral | StringLiteral | ArrayLiteral | TupleLiteral | ObjectLiteral
  | BinaryExpression | FilterExpression | FilterStatement | SelectExpression | TestExpression | UnaryExpression
  | SliceExpression | KeywordArgumentExpression | SpreadExpression | KeywordSpreadExpression | CallStatement | Ternary;

export function text(v: Text): string {
  return typeof v === 'string' ? v : v.valueOf();
}

/** Direct children in source order (ternaries are written `a if cond else b`). */
export function children(n: Node): Node[] {
  switch (n.type) {
    case 'Program': return n.body;
    case 'If': return [n.test, ...n.body, ...n.alternate];
    case 'For': return [n.loopvar, n.iterable, ...n.body, ...n.defaultBlock];
    case 'Set': return [n.assignee, ...(n.value ? [n.value] : []), ...n.body];
    case 'Macro': return [n.name, ...n.args, ...n.body];
    case 'MemberExpression': return [n.object, n.property];
    case 'CallExpression': return [n.callee, ...n.args];
    case 'ArrayLiteral':
    case 'TupleLiteral': return n.value;
    case 'ObjectLiteral': return [...n.value].flat();
    case 'BinaryExpression': return [n.left, n.right];
    case 'FilterExpression': return [n.operand, n.filter];
    case 'FilterStatement': return [n.filter, ...n.body];
    case 'SelectExpression': return [n.lhs, n.test];
    case 'TestExpression': return [n.operand, n.test];
    case 'UnaryExpression': return [n.argument];
    case 'SliceExpression': return [n.start, n.stop, n.step].filter((x): x is Node => x !== undefined);
    case 'KeywordArgumentExpression': return [n.key, n.value];
    case 'SpreadExpression':
    case 'KeywordSpreadExpression': return [n.argument];
    case 'CallStatement': return [...(n.callerArgs ?? []), n.call, ...n.body];
    case 'Ternary': return [n.trueExpr, n.condition, n.falseExpr];
    default: return [];
  }
}
