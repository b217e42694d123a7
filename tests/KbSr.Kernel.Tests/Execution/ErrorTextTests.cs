using KbSr.Kernel.Execution;

namespace KbSr.Kernel.Tests.Execution;

public class ErrorTextTests
{
    [Fact]
    public void WithoutNativeFrames_LibtorchMessage_OneParagraphWithoutFrames()
    {
        // The shape of a c10::Error message as libtorch 2.x writes it (message, "Exception raised from", frames).
        const string message =
            "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate 400000000000000 bytes.\n" +
            "Exception raised from alloc_cpu at /pytorch/c10/core/impl/alloc_cpu.cpp:117 (most recent call first):\n" +
            "frame #0: c10::ThrowEnforceNotMet(char const*, int, char const*, std::string const&, void const*) + 0x52 (0x7f1c in /x/libc10.so)\n" +
            "frame #1: c10::alloc_cpu(unsigned long) + 0x2e1 (0x7f1d in /x/libc10.so)\n";
        Assert.Equal("data. DefaultCPUAllocator: not enough memory: you tried to allocate 400000000000000 bytes.", ErrorText.WithoutNativeFrames(message));
        Assert.Equal("shape mismatch: [2] vs [3] at dim 0",
            ErrorText.WithoutNativeFrames("shape mismatch:\n[2] vs [3] at dim 0\nframe #0: at::foo() + 0x1 (0x1 in libtorch_cpu.so)"));
    }

    [Fact]
    public void WithoutNativeFrames_ManagedMessage_Unchanged()
    {
        Assert.Equal("Value cannot be null. (Parameter 'x')", ErrorText.WithoutNativeFrames("Value cannot be null. (Parameter 'x')"));
    }
}
