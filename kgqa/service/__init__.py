"""HTTP face: the Flask application factory and its routes. No QA logic lives here."""
