namespace Pipelines.Templating.Evaluation;

/// <summary>
/// Thrown inside Scriban callbacks (lookups, macros) with a message for the pipeline author; Scriban wraps it,
/// and <see cref="TemplateSession"/> unwraps it into a <see cref="TemplateException"/>.
/// </summary>
internal sealed class TemplateFailure(string reason) : Exception(reason)
{
    public static TemplateFailure? Find(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is TemplateFailure failure)
            {
                return failure;
            }
        }

        return null;
    }
}
