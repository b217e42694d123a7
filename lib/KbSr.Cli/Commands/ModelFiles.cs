using KbSr.Model;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>Loads networks named on the command line: <c>PATH</c> or <c>NAME=PATH</c>.</summary>
internal static class ModelFiles
{
    public static (string Name, KbSrNet Net) Load(string spec, Device device)
    {
        int eq = spec.IndexOf('=');
        string path = eq > 0 ? spec[(eq + 1)..] : spec;
        string name = eq > 0 ? spec[..eq] : Path.GetFileNameWithoutExtension(path);
        using var checkpoint = Checkpoint.Read(path);
        var net = checkpoint.CreateNetwork(device);
        net.eval();
        return (name, net);
    }
}
