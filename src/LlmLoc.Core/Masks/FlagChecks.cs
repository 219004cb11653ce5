namespace LlmLoc.Masks;

/// <summary>Range checks shared by the verbs' options, so every verb words the same mistake the same way.</summary>
public static class FlagChecks
{
    public static double Percentage(double value) =>
        double.IsNaN(value) || value <= 0 || value > 100
            ? throw new LlmLocException($"--percentage {value} is out of range: give a value in (0, 100], e.g. --percentage 1", ExitCodes.Usage)
            : value;

    /// <summary>numpy's legacy seeds are 0 … 2^32 − 1; --seed is an int, so only negatives are out of range.</summary>
    public static int Seed(int value, string flag = "--seed") =>
        value < 0 ? throw new LlmLocException($"{flag} {value} is negative: numpy seeds must be between 0 and 2**32 - 1", ExitCodes.Usage) : value;

    /// <summary>Seeds seed, seed+1, …, seed+count−1 must all be seeds.</summary>
    public static void SeedRange(int seed, int count, string flag = "--seed")
    {
        if ((long)seed + count - 1 > int.MaxValue)
            throw new LlmLocException($"{flag} {seed} with {count} random sets runs past the largest seed {int.MaxValue}: give a smaller {flag}", ExitCodes.Usage);
    }

    public static int AtLeastOne(string flag, int value) =>
        value < 1 ? throw new LlmLocException($"{flag} {value} is out of range: give 1 or more", ExitCodes.Usage) : value;
}
