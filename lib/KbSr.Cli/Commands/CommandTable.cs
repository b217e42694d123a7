using System.CommandLine;

namespace KbSr.Cli.Commands;

/// <summary>Every `kbsr` command, in the order `kbsr --help` lists them. One explicit table.</summary>
internal static class CommandTable
{
    public static IEnumerable<Command> All() =>
    [
        RuntimeCommand.Build(),
        KernelCommand.Build(),
        NotebookCommand.Build(),
    ];
}
