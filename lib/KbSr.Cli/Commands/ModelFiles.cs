using KbSr.Degradation;
using KbSr.Model;
using KbSr.Training;
using static TorchSharp.torch;

namespace KbSr.Cli.Commands;

/// <summary>Loads networks named on the command line: <c>PATH</c> or <c>NAME=PATH</c>.</summary>
internal static class ModelFiles
{
    /// <summary>A KB-SR network (commands that need KB-SR's internals: demo, tiled sr).</summary>
    public static (string Name, KbSrNet Net) Load(string spec, Device device)
    {
        var (name, path) = Split(spec);
        using var checkpoint = Checkpoint.Read(path);
        var net = checkpoint.CreateNetwork(device);
        net.eval();
        return (name, net);
    }

    /// <summary>Any registered network, with the kernel PCA stored beside its weights (owned by the caller).</summary>
    public static (string Name, ISrNetwork Net, KernelPca? Pca) LoadAny(string spec, Device device)
    {
        var (name, path) = Split(spec);
        var checkpoint = Checkpoint.Read(path);
        var net = checkpoint.CreateModel(device);
        net.Module().eval();
        return (name, net, checkpoint.Pca);   // the checkpoint owns only the PCA, which now passes to the caller
    }

    /// <summary>The table name and file of <c>PATH</c> or <c>NAME=PATH</c>.</summary>
    public static (string Name, string Path) Split(string spec)
    {
        int eq = spec.IndexOf('=');
        string path = eq > 0 ? spec[(eq + 1)..] : spec;
        return (eq > 0 ? spec[..eq] : System.IO.Path.GetFileNameWithoutExtension(path), path);
    }
}
