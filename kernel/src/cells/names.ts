/**
 * What a cell declares at its top level, read from its syntax alone (no type checker), and
 * whether it awaits there. The converter exports these names to later cells and keeps
 * earlier cells' names of the same spelling out of this cell's scope.
 */
import type * as tsTypes from "typescript";
import type { TS } from "./typescript.js";

export interface TopLevelNames {
  /** Every name the cell declares at its top level (values, types, namespaces, imports). */
  all: Set<string>;
  /** Names declared `using` or `await using`: disposed at the end of the cell, never kept. */
  disposed: Set<string>;
  /** Names the cell itself marks `export` (already exported; not listed again). */
  exported: Set<string>;
}

/**
 * @example
 * topLevelNames(ts, parse("const { a, b: [c] } = o; function f() { var x; }"));
 * // all: a, c, f
 */
export function topLevelNames(ts: TS, file: tsTypes.SourceFile): TopLevelNames {
  const names: TopLevelNames = { all: new Set(), disposed: new Set(), exported: new Set() };
  const add = (name: tsTypes.Node | undefined, exported = false) => {
    if (name === undefined) return;
    for (const id of boundIdentifiers(ts, name)) {
      names.all.add(id);
      if (exported) names.exported.add(id);
    }
  };
  for (const statement of file.statements) {
    const exported = hasExportModifier(ts, statement);
    if (ts.isVariableStatement(statement)) {
      const disposed = isUsing(ts, statement.declarationList);
      for (const d of statement.declarationList.declarations) {
        add(d.name, exported);
        if (disposed) for (const id of boundIdentifiers(ts, d.name)) names.disposed.add(id);
      }
    } else if (
      ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isEnumDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement)
    ) {
      add(statement.name, exported);
    } else if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) {
      add(statement.name, exported);
    } else if (ts.isImportEqualsDeclaration(statement)) {
      add(statement.name);
    } else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      add(clause?.name);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) add(bindings.name);
      else if (bindings) for (const e of bindings.elements) add(e.name);
    }
  }
  // `var` anywhere outside functions belongs to the top level too (`for (var i …)`).
  for (const id of nestedVars(ts, file)) names.all.add(id);
  for (const id of names.disposed) names.all.delete(id);
  return names;
}

/** Names declared with `var` in blocks of the top level (not inside functions or classes). */
export function nestedVars(ts: TS, file: tsTypes.SourceFile): Set<string> {
  const found = new Set<string>();
  const visit = (node: tsTypes.Node, top: boolean): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isVariableDeclarationList(node) && !top && isVar(ts, node)) {
      for (const d of node.declarations)
        for (const id of boundIdentifiers(ts, d.name)) found.add(id);
    }
    ts.forEachChild(node, (child) => visit(child, false));
  };
  for (const statement of file.statements) {
    ts.forEachChild(statement, (child) => visit(child, false));
  }
  return found;
}

/** True when an `await` (or `for await`, `await using`) runs at the cell's top level. */
export function hasTopLevelAwait(ts: TS, file: tsTypes.SourceFile): boolean {
  const visit = (node: tsTypes.Node): boolean => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
    if (ts.isAwaitExpression(node)) return true;
    if (ts.isForOfStatement(node) && node.awaitModifier !== undefined) return true;
    if (ts.isVariableDeclarationList(node) && isAwaitUsing(ts, node)) return true;
    return ts.forEachChild(node, visit) ?? false;
  };
  return file.statements.some(visit);
}

/** The identifiers a declaration name binds: itself, or those in a destructuring pattern. */
export function boundIdentifiers(ts: TS, name: tsTypes.Node): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) {
    return name.elements.flatMap((e) =>
      ts.isBindingElement(e) ? boundIdentifiers(ts, e.name) : [],
    );
  }
  return [];
}

export function isUsing(ts: TS, list: tsTypes.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.Using) !== 0;
}

function isAwaitUsing(ts: TS, list: tsTypes.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.AwaitUsing) === ts.NodeFlags.AwaitUsing;
}

export function isConst(ts: TS, list: tsTypes.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
}

function isVar(ts: TS, list: tsTypes.VariableDeclarationList): boolean {
  return (list.flags & ts.NodeFlags.BlockScoped) === 0;
}

function hasExportModifier(ts: TS, node: tsTypes.Statement): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
  );
}

/** The text of every identifier in `nodes` (names used, declared or written as properties). */
export function identifierTexts(ts: TS, nodes: readonly tsTypes.Node[]): Set<string> {
  const found = new Set<string>();
  const visit = (node: tsTypes.Node): void => {
    if (ts.isIdentifier(node)) found.add(node.text);
    else ts.forEachChild(node, visit);
  };
  nodes.forEach(visit);
  return found;
}
