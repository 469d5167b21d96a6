package io.portcullis.exec.service;

/** The catalog file is unreadable or has a bad entry; the message names the file and the entry. */
public class CatalogException extends RuntimeException {

    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
