using KbSr.Model.Baselines;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Cost of one forward pass per LR pixel, for any registered network, so that tables can print it next to every row:
/// FLOPs (2 per multiply-add). KB-SR's come from <see cref="ModelComplexity"/> (its convs, deconvs, blur and bicubic
/// matmuls); the other networks' are counted during one real forward pass on a zero LR image (and zero kernel code):
/// every Conv2d, ConvTranspose2d and Linear reports its multiply-adds through a forward hook. Elementwise ops, pooling
/// and SRCNN's bicubic upsampling are not counted (negligible next to the convs).
/// </summary>
public static class ModelCost
{
    /// <summary>FLOPs per LR pixel of one forward pass on a <paramref name="lrSize"/>² LR image.</summary>
    public static double FlopsPerLrPixel(ISrNetwork network, int lrSize = 24)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (network is KbSrNet) return ModelComplexity.ForwardFlops(network.Config, lrSize, lrSize) / ((double)lrSize * lrSize);
        return CountedFlops(network, lrSize) / ((double)lrSize * lrSize);
    }

    /// <summary>Conv/deconv/linear FLOPs of one forward pass of <paramref name="network"/> on one zero LR image, counted with hooks.</summary>
    public static double CountedFlops(ISrNetwork network, int lrSize)
    {
        var module = network.Module();
        var device = module.parameters().First().device;
        double flops = 0;
        var removers = new List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover>();
        foreach (var (_, child) in module.named_modules())
        {
            switch (child)
            {
                case Conv2d conv:   // weight [out, in/groups, kh, kw]: each output element costs in/groups·kh·kw MACs
                    removers.Add(conv.register_forward_hook((_, _, output) =>
                    {
                        flops += 2.0 * output.numel() * conv.weight!.shape[1] * conv.weight.shape[2] * conv.weight.shape[3];
                        return output;
                    }));
                    break;
                case ConvTranspose2d deconv:   // weight [in, out/groups, kh, kw]: each input element feeds out/groups·kh·kw MACs
                    removers.Add(deconv.register_forward_hook((_, input, output) =>
                    {
                        flops += 2.0 * input.numel() * deconv.weight!.shape[1] * deconv.weight.shape[2] * deconv.weight.shape[3];
                        return output;
                    }));
                    break;
                case Linear linear:
                    removers.Add(linear.register_forward_hook((_, _, output) =>
                    {
                        flops += 2.0 * output.numel() * linear.weight.shape[1];
                        return output;
                    }));
                    break;
            }
        }
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var config = network.Config;
            var lr = zeros(1, config.ImageChannels, lrSize, lrSize, device: device);
            _ = network switch
            {
                INonBlindNetwork nonBlind => nonBlind.call(lr, zeros(1, config.Loss.PcaDims, device: device)),
                nn.Module<Tensor, Tensor> blind => blind.call(lr),
                _ => throw new ArgumentException($"{network.GetType().Name}: no known forward signature", nameof(network)),
            };
        }
        finally
        {
            foreach (var remover in removers) remover.remove();
        }
        return flops;
    }
}
