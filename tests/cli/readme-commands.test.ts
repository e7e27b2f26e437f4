/**
 * The README's "Command line" section lists every command and every option that
 * `rhizome --help` and `rhizome COMMAND --help` print: a command or option added
 * without its line in the README fails here.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { rhizome } from './run.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('\n## ', readme.indexOf('## Command line') + 1))

/** The long options a help text lists, without --help. */
function longOptions (help: string): string[] {
  const options = help.slice(help.indexOf('Options:'), help.indexOf('Commands:') < 0 ? undefined : help.indexOf('Commands:'))
  return [...options.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map(m => m[1]).filter(o => o !== '--help')
}

describe('the README lists the command line', () => {
  it('every command, and every option of each', { timeout: 120_000 }, async () => {
    const top = (await rhizome(['--help'])).stdout
    for (const option of longOptions(top)) expect(section, option).toContain(option)
    const commands = [...top.slice(top.indexOf('Commands:')).matchAll(/^ {2}([a-z-]+)/gm)].map(m => m[1]).filter(c => c !== 'help')
    expect(commands.length).toBeGreaterThan(15)
    for (const command of commands) {
      expect(section, command).toMatch(new RegExp(`\\| \`${command}[ \`]`))
      const help = (await rhizome([command, '--help'])).stdout
      // The row of the command's table line holds its options.
      const row = section.split('\n').find(line => line.startsWith(`| \`${command} `) || line.startsWith(`| \`${command}\``)) ?? ''
      for (const option of longOptions(help)) expect(row, `${command} ${option}`).toContain(option.replace(/^--no-/, '--no-'))
    }
  })
})
