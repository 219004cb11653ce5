namespace LlmLoc;

/// <summary>
/// Count flags checked against the arithmetic and the memory they imply, before any work: a count that overflows an
/// int, or a request whose buffers cannot fit this machine, is one line up front instead of a wrapped number, an
/// internal error deep in a run, or the kernel's out-of-memory killer.
/// </summary>
public static class CountChecks
{
    /// <summary>Refuses a request whose estimated buffers exceed the memory this process may use.</summary>
    /// <param name="what">The flag and what it asks for, e.g. "--num-return-sequences 50000 (50000 × 20 tokens)".</param>
    /// <param name="fix">How to ask for less.</param>
    public static void FitsMemory(string what, double bytes, string fix)
    {
        long available = Models.ModelLoader.AvailableMemoryBytes();
        if (bytes > available * 0.8)
            throw new LlmLocException(
                $"{what} needs about {Gigabytes(bytes)} of memory, more than this machine's {Gigabytes(available)} allows; {fix}",
                ExitCodes.Usage);
    }

    static string Gigabytes(double bytes) => $"{bytes / (1 << 30):0.#} GB";
}
