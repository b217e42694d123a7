using System.CommandLine;
using KbSr.Kernel;
using KbSr.Kernel.Protocol;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr kernel install|uninstall|start`: the C# Jupyter kernel (docs/design.md §3.2).</summary>
internal static class KernelCommand
{
    public static Command Build()
    {
        var command = new Command("kernel", "Install, remove or start the C# Jupyter kernel (kbsr-csharp)");

        var user = new Option<bool>("--user") { Description = "Install for the current user (default): ~/.local/share/jupyter/kernels on Linux" };
        var prefix = new Option<string?>("--prefix") { Description = "Install under PREFIX/share/jupyter/kernels (e.g. a virtual environment)" };
        var dir = new Option<string?>("--dir") { Description = "Install into this kernels folder directly (add its parent to JUPYTER_PATH)" };

        var install = new Command("install", "Write the kbsr-csharp kernelspec so Jupyter front ends (VS Code, JupyterLab) can start the kernel");
        install.Options.Add(user);
        install.Options.Add(prefix);
        install.Options.Add(dir);
        install.SetAction(parse =>
        {
            string kernels = parse.GetValue(dir) ?? KernelSpec.KernelsDirectory(parse.GetValue(prefix));
            string written = KernelSpec.Install(kernels);
            Console.WriteLine($"installed kernelspec '{KernelSpec.Name}' ({KernelSpec.DisplayName}) in {written}");
            return 0;
        });

        var uninstall = new Command("uninstall", "Remove the kbsr-csharp kernelspec");
        uninstall.Options.Add(user);
        uninstall.Options.Add(prefix);
        uninstall.Options.Add(dir);
        uninstall.SetAction(parse =>
        {
            string kernels = parse.GetValue(dir) ?? KernelSpec.KernelsDirectory(parse.GetValue(prefix));
            if (!KernelSpec.Uninstall(kernels)) { Console.Error.WriteLine($"kbsr: no kernelspec '{KernelSpec.Name}' in {kernels}"); return 1; }
            Console.WriteLine($"removed kernelspec '{KernelSpec.Name}' from {kernels}");
            return 0;
        });

        var file = new Option<string>("--connection-file", "-f") { Description = "Jupyter connection file", Required = true };
        var start = new Command("start", "Run the kernel in this process (front ends normally launch it from kernel.json)");
        start.Options.Add(file);
        start.SetAction(parse =>
        {
            var log = Console.Error;
            using var server = new KernelServer(ConnectionInfo.Read(parse.GetValue(file)!), log);
            return server.Run();
        });

        command.Subcommands.Add(install);
        command.Subcommands.Add(uninstall);
        command.Subcommands.Add(start);
        return command;
    }
}
