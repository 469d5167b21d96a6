package io.portcullis.exec.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.portcullis.exec.config.ExecConfig;
import io.portcullis.exec.domain.Action;
import io.portcullis.exec.domain.Catalog;

/** Loads the catalog once; a bad entry throws here and stops the start (the sandbox needs it at start). */
@ApplicationScoped
public class CatalogProducer {

    private static final Logger LOG = Logger.getLogger(CatalogProducer.class);

    @Produces
    @Singleton
    Catalog catalog(ExecConfig config) {
        Catalog catalog = CatalogLoader.load(config.catalog());
        for (Action a : catalog.actions().values()) {
            if (!JobService.available(a)) {
                LOG.warnf("exec catalog: action '%s' is not available on this host (%s is missing); it is refused with 503",
                        a.name(), a.binary());
            }
        }
        LOG.infof("exec catalog %s: %d actions %s", config.catalog(), catalog.actions().size(), catalog.actions().keySet());
        return catalog;
    }
}
