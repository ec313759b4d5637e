"""Protocol-faithful fakes of the agent CLIs and the Gemini API, for tests."""
