/**
 * The transformer that makes a checked cell runnable as a notebook cell. It runs before
 * TypeScript's own transforms, with the type checker of the cell's program, and:
 * - binds each name the cell declares into the notebook's scope as a live accessor
 *   (`__tessera.bind("x", () => x, (v) => (x = v))`), right after the declaration runs
 *   (at the top for hoisted functions, imports and `var`), so later cells read and assign
 *   the cell's own binding and a cell that throws early keeps earlier values;
 * - stores the value of a last expression statement in `__tessera.last`;
 * - drops the `export { … }` list the converter appends for declaration output, import
 *   names that are only types, and names of earlier cells that the cell does not mention
 *   (imports are otherwise kept as written: see host.ts). A cell that then imports and
 *   exports nothing needs no CommonJS transform (see convert.ts).
 */
import type * as tsTypes from "typescript";
import { boundIdentifiers, identifierTexts, isConst, isUsing, nestedVars } from "./names.js";
import type { TS } from "./typescript.js";

/** The runner's object that a compiled cell calls (see executor.ts). */
export const RUNTIME = "__tessera";

export function cellTransformer(
  ts: TS,
  checker: tsTypes.TypeChecker,
  /** Where the user's code ends and the converter's appended lines begin. */
  userEnd: number,
): tsTypes.TransformerFactory<tsTypes.SourceFile> {
  return (context) => (file) => {
    const f = context.factory;
    const isValue = (name: tsTypes.Identifier): boolean => {
      const symbol = checker.getSymbolAtLocation(name);
      if (symbol === undefined) return true;
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      // An unresolved import (`unknown` symbol) is kept: running it says what is missing.
      return (target.flags & ts.SymbolFlags.Value) !== 0 || target.flags === 0;
    };
    const bind = (name: string, writable: boolean): tsTypes.Statement => {
      const value = f.createUniqueName("value");
      const args: tsTypes.Expression[] = [
        f.createStringLiteral(name),
        f.createArrowFunction(
          undefined,
          undefined,
          [],
          undefined,
          undefined,
          f.createIdentifier(name),
        ),
      ];
      if (writable) {
        args.push(
          f.createArrowFunction(
            undefined,
            undefined,
            [f.createParameterDeclaration(undefined, undefined, value)],
            undefined,
            undefined,
            f.createAssignment(f.createIdentifier(name), value),
          ),
        );
      }
      return f.createExpressionStatement(
        f.createCallExpression(
          f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), "bind"),
          undefined,
          args,
        ),
      );
    };

    // Imports first (ES modules hoist them; the CommonJS output requires in place, and the
    // import of earlier cells' names comes after the user's code).
    const imports: tsTypes.Statement[] = [];
    const hoisted: tsTypes.Statement[] = [];
    const body: tsTypes.Statement[] = [];
    const user = file.statements.filter((s) => s.getStart(file) < userEnd);
    const last = user[user.length - 1];
    const mentioned = identifierTexts(ts, user);

    for (const statement of file.statements) {
      const appended = statement.getStart(file) >= userEnd;
      if (ts.isExportDeclaration(statement) && appended) continue;
      if (ts.isImportDeclaration(statement)) {
        const kept = valueImport(
          ts,
          f,
          statement,
          appended ? (name) => mentioned.has(name.text) && isValue(name) : isValue,
        );
        if (kept === undefined) continue;
        imports.push(kept);
        if (!appended) for (const name of importedNames(ts, kept)) hoisted.push(bind(name, false));
        continue;
      }
      if (ts.isImportEqualsDeclaration(statement)) {
        body.push(statement);
        if (!statement.isTypeOnly) body.push(bind(statement.name.text, false));
        continue;
      }
      if (statement === last && ts.isExpressionStatement(statement)) {
        body.push(
          f.updateExpressionStatement(
            statement,
            f.createAssignment(
              f.createPropertyAccessExpression(f.createIdentifier(RUNTIME), "last"),
              statement.expression,
            ),
          ),
        );
        continue;
      }
      body.push(statement);
      if (isAmbient(ts, statement)) continue;
      if (ts.isVariableStatement(statement)) {
        const list = statement.declarationList;
        if (isUsing(ts, list)) continue;
        for (const d of list.declarations)
          for (const name of boundIdentifiers(ts, d.name))
            body.push(bind(name, !isConst(ts, list)));
      } else if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        hoisted.push(bind(statement.name.text, true));
      } else if (
        (ts.isClassDeclaration(statement) && statement.name) ||
        (ts.isEnumDeclaration(statement) && !isConstEnum(ts, statement)) ||
        (ts.isModuleDeclaration(statement) &&
          ts.isIdentifier(statement.name) &&
          isValue(statement.name))
      ) {
        body.push(bind(statement.name!.text, true));
      }
    }
    for (const name of nestedVars(ts, file)) hoisted.push(bind(name, true));
    return f.updateSourceFile(file, [...imports, ...hoisted, ...body]);
  };
}

/** The import of the names `keep` accepts, or undefined when nothing of it remains. */
function valueImport(
  ts: TS,
  f: tsTypes.NodeFactory,
  node: tsTypes.ImportDeclaration,
  keep: (name: tsTypes.Identifier) => boolean,
): tsTypes.ImportDeclaration | undefined {
  const clause = node.importClause;
  if (clause === undefined) return node; // `import "m"`: run for its side effects
  if (clause.isTypeOnly) return undefined;
  const name = clause.name && keep(clause.name) ? clause.name : undefined;
  let bindings = clause.namedBindings;
  if (bindings && ts.isNamedImports(bindings)) {
    const elements = bindings.elements.filter((e) => !e.isTypeOnly && keep(e.name));
    bindings = elements.length > 0 ? f.updateNamedImports(bindings, elements) : undefined;
  }
  if (name === undefined && bindings === undefined) return undefined;
  return f.updateImportDeclaration(
    node,
    node.modifiers,
    f.updateImportClause(clause, false, name, bindings),
    node.moduleSpecifier,
    node.attributes,
  );
}

function importedNames(ts: TS, node: tsTypes.ImportDeclaration): string[] {
  const clause = node.importClause;
  const names = clause?.name ? [clause.name.text] : [];
  const bindings = clause?.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push(bindings.name.text);
  else if (bindings) names.push(...bindings.elements.map((e) => e.name.text));
  return names;
}

function isAmbient(ts: TS, node: tsTypes.Statement): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
  );
}

function isConstEnum(ts: TS, node: tsTypes.EnumDeclaration): boolean {
  return (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Const) !== 0;
}
