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
return await root.Parse(args).InvokeAsync();
