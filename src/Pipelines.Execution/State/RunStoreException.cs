namespace Pipelines.Execution.State;

/// <summary>
/// The run store cannot be opened or written: the file is not a run store, is damaged, or a batch
/// broke a rule of the store (in which case nothing of the batch was written).
/// </summary>
public class RunStoreException : Exception
{
    /// <summary>Creates the exception for a store at <paramref name="location"/>.</summary>
    public RunStoreException(string location, string message, Exception? innerException = null)
        : base(message, innerException) => Location = location;

    /// <summary>The store's file path, or <c>memory</c>.</summary>
    public string Location { get; }
}
