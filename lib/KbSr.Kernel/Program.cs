using KbSr.Kernel;
using KbSr.Kernel.Protocol;
using KbSr.Runtime;

// The kernel process: `dotnet KbSr.Kernel.dll -f <connection file>` (what kernel.json launches).
var log = Console.Error;
string? file = null;
int? parent = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "-f" or "--connection-file" && i + 1 < args.Length) file = args[++i];
    else if (args[i] == ParentWatch.Argument && i + 1 < args.Length && int.TryParse(args[i + 1], out int pid)) { parent = pid; i++; }
}
if (file is null)
{
    log.WriteLine("usage: KbSr.Kernel -f <connection file>   (Jupyter front ends pass it; see kbsr kernel install)");
    return 2;
}
// Started by `kbsr notebook run`: end with the runner, however it ends (ParentWatch).
if (parent is { } parentId) ParentWatch.Start(parentId, file, log);
try
{
    TorchRuntime.Initialize(log.WriteLine);
}
catch (InvalidOperationException e)
{
    log.WriteLine("kbsr-kernel: " + e.Message);
    return 3;
}
using var server = new KernelServer(ConnectionInfo.Read(file), log);
return server.Run();
