/** `wait-peers` → `waitPeers`: how CLI names become keys of a handler's input object. */
export function camelCase(name: string): string {
  return name.replace(/[-_]+([a-zA-Z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}
