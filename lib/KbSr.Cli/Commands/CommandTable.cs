using System.CommandLine;

namespace KbSr.Cli.Commands;

/// <summary>Every `kbsr` command, in the order `kbsr --help` lists them. One explicit table.</summary>
internal static class CommandTable
{
    public static IEnumerable<Command> All() =>
    [
        DemoCommand.Build(),
        RuntimeCommand.Build(),
        SynthCommand.Build(),
        EvalBicubicCommand.Build(),
        DataCommand.Build(),
        TrainCommand.Build(),
        EvalCommand.Build(),
        SrCommand.Build(),
        ModelCommand.Build(),
        BenchCommand.Build(),
        KernelCommand.Build(),
        NotebookCommand.Build(),
    ];
}
