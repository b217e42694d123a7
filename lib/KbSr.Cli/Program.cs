using System.CommandLine;
using KbSr.Cli.Commands;
using KbSr.Runtime;

// `kbsr`: a thin shell over KbSr.Lib: parse, call, print. Each command group lives in Commands/.
try
{
    TorchRuntime.Initialize(Console.Error.WriteLine);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine("kbsr: " + e.Message);
    return 3;
}

var root = new RootCommand("KB-SR .NET: kernelized back-projection networks for blind super-resolution");
foreach (var command in CommandTable.All())
    root.Subcommands.Add(command);
try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException
                             or InvalidOperationException or UnauthorizedAccessException or NotSupportedException)
{
    // A researcher can act on these: say what and where, without a stack trace. Anything else is a bug and keeps its trace.
    Console.Error.WriteLine("kbsr: " + e.Message);
    return 2;
}
